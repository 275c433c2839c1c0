#!/bin/sh
# Regenerates the test-only TLS material described in README.md (OpenSSL 3).
set -e
gen() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1.key"; }
for ca in ca rogue-ca; do
  gen $ca
  openssl req -x509 -new -key $ca.key -days 36500 -subj "/CN=jangada-test-$ca" -out $ca.pem \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign"
done
sign() { # name issuer extendedKeyUsage
  gen "$1"
  openssl req -new -key "$1.key" -subj "/CN=jangada-test-$1" -out "$1.csr"
  printf 'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=%s\nsubjectAltName=IP:127.0.0.1,DNS:localhost\n' "$3" > "$1.ext"
  openssl x509 -req -in "$1.csr" -CA "$2.pem" -CAkey "$2.key" -CAcreateserial -days 36500 -extfile "$1.ext" -out "$1.pem"
  rm "$1.csr" "$1.ext"
}
sign server ca serverAuth,clientAuth
sign client ca clientAuth
sign rogue-client rogue-ca clientAuth
rm -f ./*.srl
