// metaplugin-ci's check job, written with Job DSL from its Jenkins Job Builder definition
// (metaplugin_ci.yaml): the freestyle job the check pipeline runs, and a Pipeline variant that does the
// same. The seed job (casc/metaplugin-ci.yaml, `jobs:`) runs every job-dsl/**/*.groovy from a checkout
// of this repository, so readFileFromWorkspace reads the shell steps from job-dsl/shell/.
//
// The JJB job's publishers: the devstack logs and the console log go to the log server by SCP
// through the suite's scp-logs plugin (the log host `log-server` of casc/metaplugin-ci.yaml), into
// LOG_PATH, which Tollgate passes; the build's page, its description and the review link to them.
//
// The JJB job's last post-build task (the agent taken offline, then rebooted) needs nothing here: the
// node-recycle rule for devstack_slave in casc/metaplugin-ci.yaml does it after every build of both
// jobs below, before the agent's executor is free. A job that should differ would say so with
// properties { tollgateNodeRecycleOverride { mode('NONE') } }.

String cleanupPreviousRun = readFileFromWorkspace('job-dsl/shell/cleanup-previous-run.sh')
String devstackGate = readFileFromWorkspace('job-dsl/shell/devstack-gate.sh')
// the log host of casc/metaplugin-ci.yaml, and what the check job publishes there
String logServer = 'log-server'
String devstackLogFiles = 'logs/**'

// The parameters Tollgate passes to the job (docs/gerrit-pipeline.md, "Job parameters"). Tollgate
// names all of them as safe, so a build gets them defined or not; they are defined here so that the
// job can be run by hand with a change of one's choosing, and so that they show on the build's page.
Map<String, String> suiteParameters = [
        ZUUL_UUID             : 'The build id (32 hex digits).',
        ZUUL_PROJECT          : 'The Gerrit project, e.g. openstack/neutron.',
        ZUUL_PIPELINE         : 'The pipeline, e.g. check.',
        ZUUL_BRANCH           : 'The change\'s branch.',
        ZUUL_CHANGE           : 'The change number.',
        ZUUL_PATCHSET         : 'The patchset number.',
        ZUUL_REF              : 'The ref to fetch from ZUUL_URL: the patchset\'s, e.g. refs/changes/45/12345/2.',
        ZUUL_URL              : 'The git URL the change is fetched from.',
        ZUUL_CHANGES          : 'project:branch:ref of the change, as devstack-gate reads it.',
        ZUUL_CHANGE_IDS       : 'change,patchset.',
        ZUUL_COMMIT           : 'The patchset\'s revision.',
        ZUUL_VOTING           : '1 when the job votes, 0 when not.',
        BASE_LOG_PATH         : 'Where the change\'s logs go on the log server, e.g. 45/12345/2.',
        LOG_PATH              : 'Where this build\'s logs go on the log server.',
        GERRIT_PROJECT        : 'As the Gerrit Trigger plugin sets it.',
        GERRIT_BRANCH         : 'As the Gerrit Trigger plugin sets it.',
        GERRIT_CHANGE_NUMBER  : 'As the Gerrit Trigger plugin sets it.',
        GERRIT_PATCHSET_NUMBER: 'As the Gerrit Trigger plugin sets it.',
        GERRIT_REFSPEC        : 'As the Gerrit Trigger plugin sets it.',
]

job('check-tempest-dsvm-metaplugin') {
    description('Third-party testing for Neutron MetaPlugin: devstack with the metaplugin, then tempest\'s '
            + 'network API tests. Run by Tollgate\'s check pipeline for openstack/neutron.')
    // agents with devstack-gate and the metaplugin files installed (the seed's slaves)
    label('devstack_slave')
    // builds of different changes run side by side, each on its own one-executor agent
    concurrentBuild()
    parameters {
        suiteParameters.each { name, what -> stringParam(name, '', what) }
    }
    wrappers {
        // 60 minutes, then the build FAILS (build-timeout aborts by default): a devstack run that hangs
        // is the test's failure, reported as FAILURE with the pipeline's recheck message, while ABORTED
        // is left to mean a cancelled build (Tollgate cancels a change's builds on a new patchset)
        timeout {
            absolute(60)
            failBuild()
        }
        timestamps()
    }
    steps {
        shell(cleanupPreviousRun)
        shell(devstackGate)
    }
    publishers {
        // JJB's devstack-logs and console-log publishers in one: devstack-gate leaves the logs in
        // $WORKSPACE/logs, and they are published after a failure too (copy-after-failure)
        scpLogs {
            logHost(logServer)
            includes(devstackLogFiles)
            consoleLog(true)
            copyAfterFailure(true)
        }
    }
}

// The same job as a Pipeline, for sites that prefer Pipeline jobs (name it in the layout instead).
// Its script holds the same shell steps, written into it from the same files.
pipelineJob('check-tempest-dsvm-metaplugin-pipeline') {
    description('check-tempest-dsvm-metaplugin as a Pipeline: the same steps, timeout and agent label.')
    parameters {
        suiteParameters.each { name, what -> stringParam(name, '', what) }
    }
    definition {
        cps {
            script(pipelineScript(cleanupPreviousRun, devstackGate, logServer, devstackLogFiles))
            // no script approval needed, except for the one call casc/metaplugin-ci.yaml approves
            sandbox()
        }
    }
}

/**
 * The Pipeline script of the check job: the two shell steps on a devstack_slave agent, with
 * timestamps and a 60-minute limit that fails the build. Pipeline's timeout step aborts its body
 * (ABORTED); the script turns its own timeout, and only that, into a failure, as the freestyle job's
 * failBuild() does. A build cancelled by Tollgate or by hand stays ABORTED. Whatever happened, the
 * devstack logs and the console log are published afterwards, as the freestyle job's publisher does.
 */
static String pipelineScript(String cleanupPreviousRun, String devstackGate, String logServer,
                             String devstackLogFiles) {
    """\
// Written by job-dsl/metaplugin_ci.groovy from job-dsl/shell/: change those, not this.
node('devstack_slave') {
    timestamps {
        try {
            timeout(time: 60, unit: 'MINUTES') {
                stage('Clean up the previous run') {
                    sh(${groovyLiteral(cleanupPreviousRun)})
                }
                stage('devstack-gate') {
                    sh(${groovyLiteral(devstackGate)})
                }
            }
        } catch (org.jenkinsci.plugins.workflow.steps.FlowInterruptedException interruption) {
            for (cause in interruption.causes) {
                if (cause instanceof org.jenkinsci.plugins.workflow.steps.TimeoutStepExecution.ExceededTimeout) {
                    error('check-tempest-dsvm-metaplugin ran out of its 60 minutes')
                }
            }
            throw interruption
        } finally {
            stage('Publish logs') {
                scpLogs(logHost: ${groovyLiteral(logServer)}, includes: ${groovyLiteral(devstackLogFiles)},
                        consoleLog: true, copyAfterFailure: true)
            }
        }
    }
}
"""
}

/** The text as a single-quoted Groovy literal: the shell's $VARIABLES stay the shell's. */
static String groovyLiteral(String text) {
    "'''" + text.replace('\\', '\\\\').replace('\'', '\\\'') + "'''"
}
