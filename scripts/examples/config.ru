# config.ru: the example app for a real Puma (or Unicorn), as the *_like.py apps answer.
#
#   GET /        200 "<name>"     GET /health  200 "ok"     anything else 404
# Every answer carries X-Served-By: <name> (the ITs and sticky-cookie checks read it) and X-Pid: <the
# worker's pid>. The name comes from the environment, HG_APP_NAME (default "app"). Plain Rack: no
# Gemfile, no Rails; see puma.rb and unicorn.rb next to it.
name = ENV.fetch("HG_APP_NAME", "app")

run lambda { |env|
  status, body = case env["PATH_INFO"]
                 when "/" then [200, "#{name}\n"]
                 when "/health" then [200, "ok\n"]
                 else [404, "not found\n"]
                 end
  [status, { "Content-Type" => "text/plain; charset=utf-8", "Content-Length" => body.bytesize.to_s,
             "X-Served-By" => name, "X-Pid" => Process.pid.to_s }, [body]]
}
