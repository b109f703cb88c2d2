#!/usr/bin/env bash
# compose's Kafka TLS material, made once (the one-off `kafka-tls`, in the broker's own image:
# keytool is all it needs) into the kafka-tls volume:
#   private/broker.p12       the broker's key and certificate (SAN `kafka`), PKCS#12
#   private/broker.password  its random store password (the image reads it at start)
#   ca.crt                   the certificate of the CA that signed it, PEM: what clients trust
# private/ is the broker user's alone (0700): the services mount the volume for ca.crt only.
# The CA's private key is thrown away once the broker's certificate is signed: nothing else is
# ever signed by it. To renew, remove the volume (docker compose down; docker volume rm ...).
set -euo pipefail
dir=${LUOHU_KAFKA_TLS_DIR:-/etc/kafka/secrets}
host=${LUOHU_KAFKA_TLS_HOSTNAME:-kafka}
days=${LUOHU_KAFKA_TLS_DAYS:-825}

if [[ -s "$dir/private/broker.p12" && -s "$dir/ca.crt" ]]; then
  echo "kafka-tls: $dir already holds the broker's certificate"
  exit 0
fi

umask 077
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
password=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')
ca_password=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')

keytool -genkeypair -alias ca -dname "CN=luohu compose Kafka CA" -keyalg EC -groupname secp384r1 \
  -validity "$days" -ext bc:c=ca:true,pathlen:0 -ext ku:c=keyCertSign,cRLSign \
  -keystore "$work/ca.p12" -storetype PKCS12 -storepass "$ca_password" 2>/dev/null
keytool -exportcert -rfc -alias ca -keystore "$work/ca.p12" -storepass "$ca_password" \
  > "$work/ca.crt" 2>/dev/null

keytool -genkeypair -alias broker -dname "CN=$host" -keyalg EC -groupname secp384r1 \
  -validity "$days" -keystore "$work/broker.p12" -storetype PKCS12 -storepass "$password" 2>/dev/null
keytool -certreq -alias broker -keystore "$work/broker.p12" -storepass "$password" 2>/dev/null \
  | keytool -gencert -alias ca -keystore "$work/ca.p12" -storepass "$ca_password" -rfc \
      -validity "$days" -ext "san=dns:$host,dns:localhost" -ext ku:c=digitalSignature \
      -ext eku=serverAuth > "$work/broker.crt" 2>/dev/null
keytool -importcert -noprompt -alias ca -file "$work/ca.crt" \
  -keystore "$work/broker.p12" -storepass "$password" >/dev/null 2>&1
keytool -importcert -alias broker -file "$work/broker.crt" \
  -keystore "$work/broker.p12" -storepass "$password" >/dev/null 2>&1

printf '%s' "$password" > "$work/broker.password"
chmod 0644 "$work/ca.crt"
mkdir -p "$dir/private"
chmod 0700 "$dir/private"
mv "$work/broker.password" "$work/broker.p12" "$dir/private/"
mv "$work/ca.crt" "$dir/ca.crt" # last: its presence says the rest is there
echo "kafka-tls: made the broker's certificate for $host, valid $days days"
