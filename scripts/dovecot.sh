#!/usr/bin/env bash
# Throw-away Dovecot 2.3 IMAP server on loopback for interop tests and captures.
#
#   scripts/dovecot.sh start DIR   start (idempotent); writes DIR/env with IMAP_* variables
#   scripts/dovecot.sh stop DIR    stop the server started for DIR
#
# Listens on 127.0.0.1 only: $IMAP_PORT (default 11143: plain + STARTTLS) and
# $IMAPS_PORT (default 11993: implicit TLS). IMAP_HOST=127.0.0.2 (another
# loopback address) moves it there; IMAP_LISTEN (default $IMAP_HOST) may list
# more addresses, e.g. "127.0.0.2 127.0.0.1". Dovecot counts a connection whose
# client address equals the server address as secured and then offers plaintext
# login whatever the settings say; a client on 127.0.0.1 reaching 127.0.0.2 is not. Users alice/secret and bob/secret,
# Maildir, config, TLS material (private CA in DIR/tls/ca.pem) and logs all under
# DIR; /etc/dovecot is never used. RAWLOG=1 records raw post-login traffic under
# DIR/rawlog/<user>/. DOVECOT_DISABLE_PLAINTEXT_AUTH=yes refuses LOGIN and
# AUTHENTICATE before TLS (LOGINDISABLED); the default allows them. A
# certificate placed in DIR/tls/server.pem (and server.key) before the first
# start is served instead of a generated one. SASL: PLAIN, LOGIN, SCRAM-SHA-1,
# SCRAM-SHA-256; COMPRESS=DEFLATE (imap_zlib). Needs: apt-get install -y
# dovecot-imapd (Debian 12: 2.3.19).
set -euo pipefail

die() { echo "dovecot.sh: $*" >&2; exit 1; }
[ $# -eq 2 ] || die "usage: $0 start|stop DIR"
cmd=$1
mkdir -p "$2"
D=$(cd "$2" && pwd -P)
CONF=$D/dovecot.conf
HOST=${IMAP_HOST:-127.0.0.1}
LISTEN=${IMAP_LISTEN:-$HOST}
IMAP_PORT=${IMAP_PORT:-11143}
IMAPS_PORT=${IMAPS_PORT:-11993}
# Unix socket paths must stay short (108 bytes): run directory under /tmp.
RUN=/tmp/imapdc.$(printf %s "$D" | md5sum | cut -c1-10)

ours() { [ -r "/proc/$1/cmdline" ] && tr '\0' ' ' <"/proc/$1/cmdline" | grep -qF -- "$CONF"; }
listening() { (exec 3<>"/dev/tcp/$HOST/$1") 2>/dev/null; }

case $cmd in
stop)
    pid=$(cat "$RUN/master.pid" 2>/dev/null || true)
    if [ -n "$pid" ] && ours "$pid"; then
        kill -TERM "$pid"
        for _ in $(seq 50); do ours "$pid" || break; sleep 0.1; done
        ours "$pid" && kill -KILL "$pid"
        for _ in $(seq 50); do listening "$IMAP_PORT" || break; sleep 0.1; done
    fi
    exit 0
    ;;
start) ;;
*) die "unknown command $cmd" ;;
esac

command -v dovecot >/dev/null || die "dovecot is not installed (apt-get install -y dovecot-imapd)"
case $(dovecot --version) in 2.3.*) ;; *) die "needs Dovecot 2.3, found $(dovecot --version)" ;; esac

pid=$(cat "$RUN/master.pid" 2>/dev/null || true)
if [ -n "$pid" ] && ours "$pid"; then echo "$pid"; exit 0; fi
listening "$IMAP_PORT" && die "port $IMAP_PORT is in use"
mkdir -p "$RUN" "$D"/{tls,state,log,home,rawlog/alice,rawlog/bob}
chmod 755 "$D" "$D/home" "$D/rawlog"

if [ "$(id -u)" = 0 ]; then
    # Dovecot refuses uid 0 for mail processes: mail belongs to nobody.
    MUID=$(id -u nobody) MGID=$(id -g nobody)
    runuser -u nobody -- test -x "$D" || die "$D must be reachable by user nobody (use a directory under /tmp)"
    PRIV="default_internal_user = dovecot
default_internal_group = dovecot
default_login_user = dovenull"
else
    MUID=$(id -u) MGID=$(id -g)
    PRIV="default_internal_user = $(id -un)
default_internal_group = $(id -gn)
default_login_user = $(id -un)
service anvil {
  chroot =
}
service imap-login {
  chroot =
}"
fi

if [ ! -s "$D/tls/server.pem" ]; then
    (
        cd "$D/tls"
        # A CA and a leaf certificate signed by it: rustls/webpki reject a lone self-signed leaf.
        openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout ca.key -out ca.pem \
            -days 3650 -subj "/CN=imap test CA" -addext "basicConstraints=critical,CA:TRUE" \
            -addext "keyUsage=critical,keyCertSign"
        openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout server.key -out server.csr \
            -subj "/CN=localhost"
        printf '%s\n' "basicConstraints=critical,CA:FALSE" "extendedKeyUsage=serverAuth" \
            "subjectAltName=DNS:localhost,IP:127.0.0.1" >server.ext
        openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 3650 -out server.pem \
            -extfile server.ext
        rm -f server.csr server.ext ca.srl
    ) >/dev/null 2>&1 || die "certificate generation failed"
    chmod 644 "$D/tls/ca.pem" "$D/tls/server.pem"
fi

printf '%s\n' "alice:{PLAIN}secret:$MUID:$MGID::$D/home/alice::" "bob:{PLAIN}secret:$MUID:$MGID::$D/home/bob::" >"$D/users"
chmod 644 "$D/users"
chown -R "$MUID:$MGID" "$D/home" "$D/rawlog"
RAW=""
[ "${RAWLOG:-0}" = 1 ] && RAW="rawlog_dir = $D/rawlog/%n"

cat >"$CONF" <<CONF
base_dir = $RUN
state_dir = $D/state
instance_name = imap-test-$IMAP_PORT
listen = $LISTEN
protocols = imap
log_path = $D/log/dovecot.log
$PRIV
first_valid_uid = 1
ssl = yes
ssl_cert = <$D/tls/server.pem
ssl_key = <$D/tls/server.key
disable_plaintext_auth = ${DOVECOT_DISABLE_PLAINTEXT_AUTH:-no}
auth_mechanisms = plain login scram-sha-1 scram-sha-256
auth_failure_delay = 0
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%n $D/users
}
userdb {
  driver = passwd-file
  args = username_format=%n $D/users
}
mail_location = maildir:~/Maildir
mail_fsync = never
mail_max_userip_connections = 1000
mail_plugins = \$mail_plugins quota acl zlib
mail_attribute_dict = file:%h/Maildir/dovecot-attributes
plugin {
  quota = maildir:User quota
  quota_rule = *:storage=1G
  acl = vfile
}
namespace inbox {
  inbox = yes
  separator = /
  mailbox Drafts {
    special_use = \\Drafts
    auto = subscribe
  }
  mailbox Sent {
    special_use = \\Sent
    auto = subscribe
  }
  mailbox Trash {
    special_use = \\Trash
    auto = subscribe
  }
  mailbox Junk {
    special_use = \\Junk
    auto = subscribe
  }
}
protocol imap {
  mail_plugins = \$mail_plugins imap_quota imap_acl imap_zlib
  imap_metadata = yes
  $RAW
}
service imap-login {
  inet_listener imap {
    address = $LISTEN
    port = $IMAP_PORT
  }
  inet_listener imaps {
    address = $LISTEN
    port = $IMAPS_PORT
    ssl = yes
  }
}
CONF

doveconf -c "$CONF" -n >/dev/null || die "config check failed"
# The master daemonizes but keeps its stderr: point it at a file, never at the
# caller's pipe, or a caller reading our output to EOF waits for Dovecot to exit.
dovecot -c "$CONF" </dev/null >>"$D/log/startup.log" 2>&1 ||
    die "dovecot failed to start: $(tail -5 "$D/log/startup.log"); see also $D/log/dovecot.log"
for _ in $(seq 150); do
    if listening "$IMAP_PORT" && listening "$IMAPS_PORT"; then break; fi
    sleep 0.2
done
listening "$IMAP_PORT" || die "dovecot does not listen on $IMAP_PORT; see $D/log/dovecot.log"
# The master writes its pid file after it starts listening: wait for it.
for _ in $(seq 100); do [ -s "$RUN/master.pid" ] && break; sleep 0.05; done
pid=$(cat "$RUN/master.pid")
cat >"$D/env" <<ENV
IMAP_HOST=$HOST
IMAP_PORT=$IMAP_PORT
IMAPS_PORT=$IMAPS_PORT
IMAP_CA_CERT=$D/tls/ca.pem
IMAP_USER=alice
IMAP_PASS=secret
DOVECOT_DIR=$D
ENV
echo "$pid"
