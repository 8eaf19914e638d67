#!/usr/bin/ruby
# frozen_string_literal: true

# Uploads a published recording to Plenary, which serves it to the tenant
# whose meeting it was. Install it as
# /usr/local/bigbluebutton/core/scripts/post_publish/plenary_import.rb and put
# Plenary's import address in /etc/bigbluebutton/plenary.yml:
#
#   import_url: https://plenary.example.org/recordings/import
#
# The upload is a tar of /var/bigbluebutton/published/<format>/<record_id>
# with a JWT HS256 {server, record_id, exp} signed with this server's secret.

require 'jwt'
require 'net/http'
require 'optimist'
require 'tempfile'
require 'uri'
require 'yaml'
require File.expand_path('../../lib/recordandplayback', __dir__)

opts = Optimist.options do
  opt :meeting_id, 'Meeting ID (the record ID) to upload', type: String, required: true
  opt :format, 'Playback format', type: String, default: 'presentation'
end
record_id = opts[:meeting_id]
format = opts[:format]

logger = Logger.new('/var/log/bigbluebutton/post_publish.log', 'weekly')
logger.level = Logger::INFO
BigBlueButton.logger = logger

# bbb-web's defaults, then the server's own settings over them.
def web_properties
  props = {}
  ['/usr/share/bbb-web/WEB-INF/classes/bigbluebutton.properties',
   '/etc/bigbluebutton/bbb-web.properties'].each do |file|
    next unless File.exist?(file)

    File.foreach(file) do |line|
      key, value = line.strip.split('=', 2)
      props[key.strip] = value.strip if value && !key.start_with?('#')
    end
  end
  props
end

published = '/var/bigbluebutton/published'
unless File.directory?(File.join(published, format, record_id))
  logger.info("plenary_import: no published #{format} for #{record_id}")
  exit 0
end

import_url = URI(YAML.safe_load(File.read('/etc/bigbluebutton/plenary.yml')).fetch('import_url'))
props = web_properties
server_url = URI(props.fetch('bigbluebutton.web.serverURL'))
# The server as Plenary names it: the host, with the port unless it is the default.
server = server_url.host.downcase
server += ":#{server_url.port}" unless server_url.port == server_url.default_port
token = JWT.encode({ server: server, record_id: record_id, exp: Time.now.to_i + 3600 },
                   props.fetch('securitySalt'), 'HS256')

Tempfile.create(['plenary-import', '.tar']) do |archive|
  archive.close
  unless system('tar', '-C', published, '-cf', archive.path, "#{format}/#{record_id}")
    logger.error("plenary_import: cannot tar #{format}/#{record_id}")
    exit 1
  end
  File.open(archive.path, 'rb') do |body|
    request = Net::HTTP::Post.new(import_url)
    request['Authorization'] = "Bearer #{token}"
    request['Content-Type'] = 'application/x-tar'
    request['Content-Length'] = File.size(archive.path).to_s
    request.body_stream = body
    response = Net::HTTP.start(import_url.host, import_url.port,
                               use_ssl: import_url.scheme == 'https', read_timeout: 600) do |http|
      http.request(request)
    end
    unless response.is_a?(Net::HTTPSuccess)
      logger.error("plenary_import: #{record_id} refused: #{response.code} #{response.body}")
      exit 1
    end
    logger.info("plenary_import: #{format}/#{record_id} uploaded (#{response.code})")
  end
end
