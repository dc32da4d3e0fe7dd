#!/bin/busybox sh
# /init of the qemu peer test's guest: a stand-in for an agent image that starts its inbound agent at
# boot. It reads the agent's environment from the SMBIOS OEM strings libvirt gave the domain
# (tollgate:KEY=VALUE), connects to the controller URL found there, and sends what it read.
/bin/busybox mkdir -p /proc /sys /dev /tmp /sbin /usr/bin /usr/sbin
/bin/busybox --install -s
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
: > /tmp/env
# SMBIOS type 11 (OEM strings): a 5-byte header, then NUL-terminated strings
for raw in /sys/firmware/dmi/entries/11-*/raw; do
  [ -f "$raw" ] && tail -c +6 "$raw" | tr '\000' '\n' | grep '^tollgate:' | sed 's/^tollgate://' >> /tmp/env
done
echo "guest: $(wc -l < /tmp/env) agent env entries"
url=$(grep '^JENKINS_URL=' /tmp/env | sed 's/^JENKINS_URL=//')
hostport=$(echo "$url" | sed -e 's#^[a-z]*://##' -e 's#/.*$##')
host=${hostport%:*}
port=${hostport##*:}
# the NIC and disk drivers, in load order (the test packs them with their dependencies)
for m in $(cat /lib/load-order); do insmod "/lib/$m"; done
ip link set lo up
ip link set eth0 up
# QEMU's user-mode network: the guest is 10.0.2.15, the host's loopback answers at 10.0.2.2
ip addr add 10.0.2.15/24 dev eth0
ip route add default via 10.0.2.2
# the disk is the agent's overlay: show it is there and writable
if [ -b /dev/vda ]; then echo "guest: disk $(cat /sys/block/vda/size) sectors"; fi
echo "guest: connecting to $host:$port"
# the NIC's link comes up a moment after the driver loads: try again until the controller answers
tries=0
until ( cat /tmp/env; echo "DISK=$( [ -b /dev/vda ] && echo present || echo absent )"; echo END ) \
    | nc "$host" "$port"; do
  tries=$((tries + 1))
  [ "$tries" -ge 300 ] && { echo "guest: gave up connecting to $host:$port"; break; }
  sleep 1
done
echo "guest: sent after $tries retries"
while true; do sleep 3600; done
