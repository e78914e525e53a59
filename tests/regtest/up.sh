#!/usr/bin/env bash
# Brings up a private Monero regtest network on 127.0.0.1 for the interop tests, in DIR:
#   monerod --regtest --offline (fixed difficulty 1), on free loopback ports;
#   a miner wallet-rpc (connected) that mines the chain and funds the signer;
#   "online": a wallet-rpc connected to the daemon, holding the signer's VIEW-ONLY wallet;
#   "offline": a wallet-rpc started with --offline, holding the signer's FULL wallet (used only
#   to compare timings and as a second opinion; airsign is the signer under test).
# The signer's keys come from SIGNER_MNEMONIC (25 words) or tests/regtest/signer.json.
# The signer is funded with ordinary transfers: several outputs to its primary address and
# one to subaddress (0,1). Writes DIR/env (ports, addresses) and DIR/pids; down.sh DIR stops
# exactly those processes. Needs Debian's `monero` (0.18.0.0); installs it if missing.
set -euo pipefail
dir=${1:?usage: up.sh DIR}
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
if ! command -v monerod >/dev/null; then
  as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
  as_root apt-get update -qq && as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq monero curl
fi
: > "$dir/pids"
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
json() { python3 -c "import json,sys; d=json.load(sys.stdin); print(eval(sys.argv[1]))" "$1"; }
call() { # call PORT METHOD PARAMS
  curl -s --max-time 300 "http://127.0.0.1:$1/json_rpc" -d "{\"jsonrpc\":\"2.0\",\"id\":0,\"method\":\"$2\",\"params\":$3}"
}
wait_up() { for _ in $(seq 240); do call "$1" get_version '{}' 2>/dev/null | grep -q result && return 0; sleep 0.25; done; echo "port $1 did not answer" >&2; exit 1; }

daemon_rpc=$(free_port); daemon_p2p=$(free_port)
monerod --regtest --offline --no-igd --no-zmq --non-interactive --fixed-difficulty 1 \
  --p2p-bind-ip 127.0.0.1 --p2p-bind-port "$daemon_p2p" --rpc-bind-ip 127.0.0.1 --rpc-bind-port "$daemon_rpc" \
  --data-dir "$dir/chain" --disable-rpc-ban --log-file "$dir/monerod.log" >/dev/null 2>&1 &
echo $! >> "$dir/pids"
wallet_rpc() { # wallet_rpc NAME PORT [--offline|--daemon-address ...]
  local name=$1 port=$2; shift 2
  mkdir -p "$dir/$name"
  monero-wallet-rpc --disable-rpc-login --non-interactive --rpc-bind-ip 127.0.0.1 --rpc-bind-port "$port" \
    --wallet-dir "$dir/$name" --log-file "$dir/$name.log" "$@" >/dev/null 2>&1 &
  echo $! >> "$dir/pids"
}
miner=$(free_port); online=$(free_port); offline=$(free_port)
wallet_rpc miner "$miner" --daemon-address "127.0.0.1:$daemon_rpc" --trusted-daemon
wallet_rpc online "$online" --daemon-address "127.0.0.1:$daemon_rpc" --trusted-daemon
wallet_rpc offline "$offline" --offline
for _ in $(seq 120); do curl -s --max-time 2 "http://127.0.0.1:$daemon_rpc/get_info" | grep -q '"status": "OK"' && break; sleep 0.25; done
wait_up "$miner"; wait_up "$online"; wait_up "$offline"

mnemonic=${SIGNER_MNEMONIC:-$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["mnemonic"])' "$here/signer.json")}
call "$offline" restore_deterministic_wallet "{\"filename\":\"signer\",\"password\":\"\",\"seed\":\"$mnemonic\",\"restore_height\":0,\"language\":\"English\"}" > /dev/null
signer_address=$(call "$offline" get_address '{}' | json 'd["result"]["address"]')
signer_view=$(call "$offline" query_key '{"key_type":"view_key"}' | json 'd["result"]["key"]')
signer_sub=$(call "$offline" create_address '{"account_index":0}' | json 'd["result"]["address"]')
call "$online" generate_from_keys "{\"filename\":\"viewonly\",\"password\":\"\",\"address\":\"$signer_address\",\"viewkey\":\"$signer_view\",\"restore_height\":0}" > /dev/null
call "$online" create_address '{"account_index":0}' > /dev/null
call "$online" auto_refresh '{"enable":false}' > /dev/null

call "$miner" create_wallet '{"filename":"miner","password":"","language":"English"}' > /dev/null
call "$miner" auto_refresh '{"enable":false}' > /dev/null
miner_address=$(call "$miner" get_address '{}' | json 'd["result"]["address"]')
mine() { call "$daemon_rpc" generateblocks "{\"amount_of_blocks\":$1,\"wallet_address\":\"$miner_address\"}" > /dev/null; }
# Decoy selection needs a few hundred blocks of outputs; coinbase unlocks after 60.
mine ${CHAIN_BLOCKS:-420}
call "$miner" refresh '{}' > /dev/null
transfer() { # transfer ADDRESS ATOMIC
  local out=""
  for _ in 1 2 3; do
    out=$(call "$miner" transfer "{\"destinations\":[{\"address\":\"$1\",\"amount\":$2}],\"ring_size\":16}")
    echo "$out" | grep -q '"tx_hash"' && return 0
    sleep 0.5; call "$miner" refresh '{}' > /dev/null
  done
  echo "funding transfer failed: $out" >&2; exit 1
}
# Amounts in atomic units (1 XMR = 1e12): four outputs to the primary address, one to (0,1).
for amount in 5000000000000 3000000000000 2000000000000 1500000000000; do transfer "$signer_address" $amount; mine 1; call "$miner" refresh '{}' > /dev/null; done
transfer "$signer_sub" 4000000000000
mine 12
call "$online" refresh '{}' > /dev/null

cat > "$dir/env" <<ENV
DAEMON_PORT=$daemon_rpc
MINER_PORT=$miner
ONLINE_PORT=$online
OFFLINE_PORT=$offline
SIGNER_ADDRESS=$signer_address
SIGNER_SUBADDRESS=$signer_sub
MINER_ADDRESS=$miner_address
ENV
echo "regtest up in $dir" >&2
