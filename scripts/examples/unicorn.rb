# unicorn.rb: the Unicorn config of the examples (unicorn -c unicorn.rb -l 127.0.0.1:8001 config.ru).
# The pid file comes from HG_PIDFILE. On USR2 Unicorn renames it to <pidfile>.oldbin and starts a new
# master (a child of the old one) that inherits the socket and writes the pid file; healthgate sends
# QUIT to the old master once the new one is ready (restart.signal then-old: QUIT).
worker_processes 2
pid ENV.fetch("HG_PIDFILE")
timeout 30
# a new master after USR2 runs the unicorn binary again, from the same directory
working_directory __dir__
