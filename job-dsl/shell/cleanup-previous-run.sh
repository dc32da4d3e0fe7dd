#!/bin/bash -x
# First step of check-tempest-dsvm-metaplugin (job-dsl/metaplugin_ci.groovy): clear what the previous
# run left on the agent. Agents are reused (rebooted, not replaced) between builds.

# the previous run's logs, collected under /opt/stack/logs while it ran
sudo rm -rf /opt/stack/logs
# devstack's tree of the previous run (everything: picking the leftovers is no faster)
sudo rm -rf /opt/stack/new

# Open vSwitch bridges survive a reboot; devstack creates them again
sudo ovs-vsctl --if-exists del-br br-int
sudo ovs-vsctl --if-exists del-br br-ex
sudo ovs-vsctl --if-exists del-br br-tun

# devstack-gate's scripts, installed on the agent, linked into the workspace
rm -rf devstack-gate
ln -s /opt/devstack-gate
