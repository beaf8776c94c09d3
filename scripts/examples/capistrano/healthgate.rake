# scripts/examples/capistrano/healthgate.rake: restart a Rails app through healthgate after a Capistrano
# deploy, host by host, each instance back in HAProxy before the next. Copy it to lib/capistrano/tasks/
# (Capfile: Dir.glob("lib/capistrano/tasks/*.rake").each { |r| import r }) and set in config/deploy.rb:
#
#   set :healthgate_apps, %w[web1]                          # the app names in each host's healthgate.yml
#   set :healthgate_hooks, "/opt/healthgate/scripts/hooks"  # where scripts/hooks is on the hosts
#   set :healthgate_token_file, "/etc/healthgate/token"     # optional: control.token, readable by the deploy user
#   set :healthgate_batch, 1                                # hosts at a time (in: :groups)
#
# A hook that exits non-zero (1 the restart failed and the app is out of rotation, 3 healthgate cannot be
# reached, 4 busy, 5 unknown app, 6 token refused, 7 healthgate stopping) raises in SSHKit, which stops the
# deploy before the next group of hosts: the hosts not yet restarted stay in rotation on the old release.

namespace :healthgate do
  # The hook's arguments; app names are checked against healthgate's own rule, so nothing here reaches a
  # shell that it should not (SSHKit joins the words of a command with spaces).
  def healthgate_args(action, app)
    unless app.to_s.match?(/\A[A-Za-z0-9][A-Za-z0-9_.-]{0,39}\z/)
      raise ArgumentError, "healthgate_apps: #{app.inspect} is not an app name"
    end
    args = ["#{fetch(:healthgate_hooks, '/opt/healthgate/scripts/hooks')}/#{action}"]
    token_file = fetch(:healthgate_token_file, nil)
    args += ["--token-file", token_file] if token_file
    args << app.to_s
  end

  %w[drain restore restart].each do |action|
    desc "#{action} the apps in :healthgate_apps through healthgate, :healthgate_batch hosts at a time"
    task action do
      on roles(:app), in: :groups, limit: fetch(:healthgate_batch, 1), wait: 0 do
        fetch(:healthgate_apps).each do |app|
          execute(*healthgate_args(action, app))
        end
      end
    end
  end
end

# after the new release is live, restart it behind HAProxy without losing a request
after "deploy:publishing", "healthgate:restart"
