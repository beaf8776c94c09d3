<%@ page contentType="text/plain; charset=UTF-8" trimDirectiveWhitespaces="true" session="false" %><%--
  The example app for Tomcat, answering as the *_like.py apps: GET / 200 "<name>", GET /health 200 "ok",
  anything else 404; X-Served-By: <name> on every answer. The name comes from HG_APP_NAME.
--%><%
  String name = System.getenv().getOrDefault("HG_APP_NAME", "app");
  response.setHeader("X-Served-By", name);
  response.setHeader("X-Pid", Long.toString(ProcessHandle.current().pid()));
  String path = request.getServletPath() + (request.getPathInfo() == null ? "" : request.getPathInfo());
  if (path.equals("/") || path.isEmpty()) {
    out.print(name + "\n");
  } else if (path.equals("/health")) {
    out.print("ok\n");
  } else {
    response.setStatus(404);
    out.print("not found\n");
  }
%>
