#!/bin/bash -xe
# Second step of check-tempest-dsvm-metaplugin (job-dsl/metaplugin_ci.groovy): devstack with the
# Neutron metaplugin, then tempest's network API tests, through devstack-gate. devstack-gate reads the
# change to test from the ZUUL_* parameters Tollgate passes (ZUUL_PROJECT, ZUUL_BRANCH, ZUUL_REF,
# ZUUL_URL, ZUUL_CHANGES, ...).

# the scripts parse command output: English messages
export LANG=C
export PYTHONUNBUFFERED=true
# devstack-gate's own limit, in minutes; the job's 60-minute timeout ends the build first
export DEVSTACK_GATE_TIMEOUT=180
export DEVSTACK_GATE_NEUTRON=1
export DEVSTACK_GATE_TEMPEST=1
export ENABLED_SERVICES=metaplugin
# only the services the metaplugin tests need (devstack-gate's own matrix starts horizon and more)
export DEVSTACK_GATE_FEATURE_MATRIX='/opt/metaplugin-ci/files/features.yaml'
export DEVSTACK_GATE_TEMPEST_REGEX='tempest.api.network'

# run by devstack-gate before devstack: installs the metaplugin as a Neutron third-party component
function pre_test_hook {
    cp /opt/metaplugin-ci/files/neutron_thirdparty/metaplugin $BASE/new/devstack/lib/neutron_thirdparty/
}
export -f pre_test_hook

cp devstack-gate/devstack-vm-gate-wrap.sh ./safe-devstack-vm-gate-wrap.sh
./safe-devstack-vm-gate-wrap.sh
