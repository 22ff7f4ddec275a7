/**
 * nginx serving $BENCH_DIR/staticfiles under /static/ on $HOST:$PORT, in the foreground, with the
 * static location of docs/deploy.md; for bench/static.bench.ts. Stops nginx on SIGTERM.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const dir = process.env.BENCH_DIR!;
const prefix = path.join(dir, `nginx-${process.pid}`);
mkdirSync(prefix, { recursive: true });
const conf = `daemon off;
worker_processes 1;
${process.getuid?.() === 0 ? 'user root;' : ''}
error_log ${prefix}/error.log;
pid ${prefix}/nginx.pid;
events { worker_connections 1024; }
http {
  include /etc/nginx/mime.types;
  access_log off;
  sendfile on;
  tcp_nopush on;
  keepalive_requests 100000;
  ${['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((t) => `${t}_temp_path ${prefix}/${t};`).join(' ')}
  map $uri $static_cache {
    "~\\.[0-9a-f]{12}\\.[A-Za-z0-9]+$" "public, max-age=31536000, immutable";
    default "public, max-age=3600";
  }
  server {
    listen ${process.env.HOST ?? '127.0.0.1'}:${process.env.PORT};
    location /static/ {
      alias ${dir}/staticfiles/;
      gzip_static on;
      add_header Cache-Control $static_cache;
    }
  }
}
`;
writeFileSync(path.join(prefix, 'nginx.conf'), conf);
const nginx = spawn('nginx', ['-p', prefix, '-c', path.join(prefix, 'nginx.conf')], { stdio: 'inherit' });
process.on('SIGTERM', () => nginx.kill('SIGTERM'));
nginx.on('exit', (code) => process.exit(code ?? 0));
