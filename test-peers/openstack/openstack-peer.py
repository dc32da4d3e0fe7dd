#!/usr/bin/python3
"""A real OpenStack control plane for tests, on 127.0.0.1, from Debian's library packages.

    openstack-peer.py run --dir DIR [--ready-file FILE]

Starts Keystone, Placement, Glance, Neutron and Nova (api, conductor, scheduler and compute in one
process on oslo.messaging's in-process fake:// transport, with the fake virt driver) on free ports,
every database sqlite in WAL mode under DIR, then creates what the tests use: a project and user, an
application credential, a flavor, two images, an external network with a subnet, a project network
behind a router, a key pair. When every API answers and the compute host is mapped, it writes the
ready file (JSON: ports, names, ids, credentials) and prints READY. It then runs until it gets SIGTERM
or SIGINT, or its standard input closes (the test JVM died), and stops every service it started.

Requires python3-keystone python3-nova python3-glance python3-placement python3-neutron. Everything
is started by this script: no systemd, no RabbitMQ, no MySQL.
"""
import argparse
import fcntl
import hashlib
import json
import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
ADMIN_PASSWORD = 'peer-admin-secret'
USER_PASSWORD = 'peer-user-secret'
DATABASES = ['keystone', 'placement', 'glance', 'neutron', 'nova_api', 'nova', 'nova_cell0']
START_TIMEOUT = 240


def log(msg):
    print('[openstack-peer %6.1fs] %s' % (time.monotonic() - T0, msg), flush=True)


T0 = time.monotonic()


def free_port():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


# ------------------------------------------------------------------ configuration

def write_configs(d, ports):
    os.makedirs(os.path.join(d, 'etc'), exist_ok=True)
    for sub in ('db', 'log', 'lock', 'images', 'nova/instances', 'neutron', 'keystone-fernet',
                'keystone-credential'):
        os.makedirs(os.path.join(d, sub), exist_ok=True)
    with open(os.path.join(HERE, 'etc', 'authtoken.fragment')) as f:
        authtoken = f.read().strip()
    values = {
        '@DIR@': d,
        '@ADMIN_PASSWORD@': ADMIN_PASSWORD,
        '@KEYSTONE_PORT@': str(ports['keystone']),
        '@GLANCE_PORT@': str(ports['glance']),
        '@NEUTRON_PORT@': str(ports['neutron']),
        '@NOVA_PORT@': str(ports['nova']),
    }
    for name in os.listdir(os.path.join(HERE, 'etc')):
        if name.endswith('.fragment'):
            continue
        with open(os.path.join(HERE, 'etc', name)) as f:
            text = f.read().replace('@AUTHTOKEN@', authtoken)
        for k, v in values.items():
            text = text.replace(k, v)
        with open(os.path.join(d, 'etc', name), 'w') as f:
            f.write(text)
    # WAL is a property of the database file: set it before any service opens it (without it Keystone
    # answers 500 "database is locked" as soon as two requests overlap)
    for db in DATABASES:
        con = sqlite3.connect(os.path.join(d, 'db', db + '.db'))
        con.execute('PRAGMA journal_mode=WAL')
        con.close()


def env(d):
    e = dict(os.environ)
    e['PYTHONPATH'] = os.path.join(HERE, 'pylib') + os.pathsep + e.get('PYTHONPATH', '')
    e['OS_KEYSTONE_CONFIG_DIR'] = os.path.join(d, 'etc')
    e['OS_KEYSTONE_CONFIG_FILES'] = 'keystone.conf'
    e['OS_PLACEMENT_CONFIG_DIR'] = os.path.join(d, 'etc')
    # stevedore caches entry points under $HOME; keep that cache with the run
    e['XDG_CACHE_HOME'] = os.path.join(d, 'cache')
    return e


def py(code, *args):
    """Runs a Python entry point the way its console script would, with argv set."""
    return [sys.executable, '-c', 'import sys; sys.argv = sys.argv[1:]; ' + code, *args]


def setup_commands(d):
    etc = os.path.join(d, 'etc')
    k = ['keystone-manage', '--config-file', etc + '/keystone.conf']
    nova_manage = py('from nova.cmd.manage import main; sys.exit(main())', 'nova-manage',
                     '--config-file', etc + '/nova.conf')
    return {
        'keystone': [
            k + ['db_sync'],
            k + ['fernet_setup', '--keystone-user', str(os.getuid()), '--keystone-group', str(os.getgid())],
            k + ['credential_setup', '--keystone-user', str(os.getuid()), '--keystone-group', str(os.getgid())],
        ],
        'placement': [py('from placement.cmd.manage import main; sys.exit(main())', 'placement-manage',
                         '--config-file', etc + '/placement.conf', 'db', 'sync')],
        'glance': [py('from glance.cmd.manage import main; sys.exit(main())', 'glance-manage',
                      '--config-file', etc + '/glance-api.conf', 'db_sync')],
        'neutron': [py(NEUTRON_TABLES, 'x', 'sqlite:///' + d + '/db/neutron.db')],
        'nova': [
            nova_manage + ['api_db', 'sync'],
            nova_manage + ['cell_v2', 'map_cell0', '--database_connection', 'sqlite:///' + d + '/db/nova_cell0.db'],
            nova_manage + ['cell_v2', 'create_cell', '--name', 'cell1'],
            nova_manage + ['db', 'sync'],
        ],
    }


# neutron-db-manage's migrations need ALTER TABLE support sqlite lacks; the models make the same tables
NEUTRON_TABLES = '''
import sqlalchemy
from neutron.db.migration.models import head
engine = sqlalchemy.create_engine(sys.argv[1])
head.get_metadata().create_all(engine)
'''


def run_setup(d, name, commands, e):
    for c in commands:
        out = os.path.join(d, 'log', 'setup-' + name + '.log')
        with open(out, 'a') as f:
            r = subprocess.run(c, stdout=f, stderr=subprocess.STDOUT, env=e, cwd=d, stdin=subprocess.DEVNULL)
        if r.returncode != 0:
            raise RuntimeError('%s setup failed (exit %d): %s; see %s' % (name, r.returncode, ' '.join(c[-3:]), out))



# ------------------------------------------------------------------ the schema cache

TEMPLATE_KEYSTONE_PORT = 65001


# bump when build_template, setup_commands or a config template's database settings change
SCHEMA_VERSION = 1


def cache_key():
    """Changes with the packages and SCHEMA_VERSION: a stale schema is never reused."""
    h = hashlib.sha256()
    versions = subprocess.run(['dpkg-query', '-W', '-f', '${Package}=${Version}\\n', 'python3-keystone', 'python3-nova',
                               'python3-glance', 'python3-placement', 'python3-neutron'],
                              capture_output=True, text=True).stdout
    h.update(('%d\n%s' % (SCHEMA_VERSION, versions)).encode())
    return h.hexdigest()[:16]


def build_template(t):
    """Every database's schema, Keystone's bootstrap and Nova's cells, made once per cache key.

    Migrations are most of a start's CPU time (Keystone's and Nova's take a minute or more each on a
    busy two-core machine), and they give the same result every time.
    """
    ports = {'keystone': TEMPLATE_KEYSTONE_PORT, 'placement': 0, 'glance': 0, 'neutron': 0, 'nova': 0}
    write_configs(t, ports)
    e = env(t)
    errors = []
    threads = []
    for name, commands in setup_commands(t).items():
        def work(name=name, commands=commands):
            try:
                run_setup(t, name, commands, e)
                if name == 'keystone':
                    run_setup(t, name, [['keystone-manage', '--config-file', t + '/etc/keystone.conf',
                                         'bootstrap', '--bootstrap-password', ADMIN_PASSWORD,
                                         '--bootstrap-region-id', 'RegionOne', '--bootstrap-public-url',
                                         'http://127.0.0.1:%d/v3' % TEMPLATE_KEYSTONE_PORT]], e)
                log('schema of %s made' % name)
            except Exception as ex:  # reported below, with the others
                errors.append(str(ex))
        th = threading.Thread(target=work)
        th.start()
        threads.append(th)
    for th in threads:
        th.join()
    if errors:
        raise RuntimeError('; '.join(errors))
    for db in DATABASES:
        con = sqlite3.connect(os.path.join(t, 'db', db + '.db'))
        con.execute('PRAGMA wal_checkpoint(TRUNCATE)')
        con.close()


def prepare_databases(d, ports):
    base = os.environ.get('TOLLGATE_OPENSTACK_PEER_CACHE') or os.path.join(
        os.environ.get('XDG_CACHE_HOME') or os.path.expanduser('~/.cache'), 'tollgate-openstack-peer')
    cache = os.path.join(base, cache_key())
    os.makedirs(base, exist_ok=True)
    with open(os.path.join(base, '.lock'), 'w') as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # one builder; other starts wait for it
        if not os.path.isdir(cache):
            log('no schema cache for this version yet: making it in ' + cache)
            tmp = tempfile.mkdtemp(prefix='building-', dir=base)
            try:
                build_template(tmp)
                os.replace(tmp, cache)
            finally:
                shutil.rmtree(tmp, ignore_errors=True)
    for db in DATABASES:
        shutil.copyfile(os.path.join(cache, 'db', db + '.db'), os.path.join(d, 'db', db + '.db'))
    for keys in ('keystone-fernet', 'keystone-credential'):
        shutil.rmtree(os.path.join(d, keys), ignore_errors=True)
        shutil.copytree(os.path.join(cache, keys), os.path.join(d, keys))
        os.chmod(os.path.join(d, keys), 0o700)
    con = sqlite3.connect(os.path.join(d, 'db', 'keystone.db'))
    con.execute("UPDATE endpoint SET url = replace(url, ':%d/', ':%d/')" % (TEMPLATE_KEYSTONE_PORT, ports['keystone']))
    con.commit()
    con.close()
    con = sqlite3.connect(os.path.join(d, 'db', 'nova_api.db'))
    con.execute("UPDATE cell_mappings SET database_connection = 'sqlite:///' || ? || substr(database_connection, instr(database_connection, '/db/'))", (d,))
    con.commit()
    con.close()


# ------------------------------------------------------------------ the services (child processes)

def serve_wsgi(app, port, threaded):
    import socketserver
    from wsgiref import simple_server

    class Quiet(simple_server.WSGIRequestHandler):
        def log_message(self, *a):
            pass

    cls = simple_server.WSGIServer
    if threaded:
        class Threaded(socketserver.ThreadingMixIn, simple_server.WSGIServer):
            daemon_threads = True
        cls = Threaded
    httpd = simple_server.make_server('127.0.0.1', port, app, server_class=cls, handler_class=Quiet)
    httpd.serve_forever()


def serve(service, d, port):
    etc = os.path.join(d, 'etc')
    sys.argv = [service]  # the WSGI apps parse the command line as their own
    if service == 'keystone':
        from keystone.server import wsgi
        serve_wsgi(wsgi.initialize_public_application(), port, threaded=False)
    elif service == 'placement':
        from placement import wsgi
        serve_wsgi(wsgi.init_application(), port, threaded=False)
    elif service == 'glance':
        sys.argv = ['glance-api', '--config-file', etc + '/glance-api.conf']
        from glance.cmd import api
        api.main()
    elif service == 'neutron':
        sys.argv = ['neutron-server', '--config-file', etc + '/neutron.conf']
        from neutron.cmd.eventlet import server
        server.main()
    elif service == 'nova':
        serve_nova(etc + '/nova.conf')
    else:
        raise SystemExit('unknown service ' + service)


def serve_nova(conf):
    import nova.monkey_patch  # noqa: F401  (eventlet, before anything else of nova)
    from oslo_service import service as oslo_service
    from nova import config, objects, service
    import nova.conf
    from oslo_log import log as logging
    config.parse_args(['nova', '--config-file', conf])  # also creates the one fake:// transport
    logging.setup(nova.conf.CONF, 'nova')
    objects.register_all()
    launcher = oslo_service.ServiceLauncher(nova.conf.CONF, restart_method='mutate')
    # conductor, scheduler and compute share the process and so the fake:// transport's exchanges
    for binary in ('nova-conductor', 'nova-scheduler', 'nova-compute'):
        launcher.launch_service(service.Service.create(binary=binary))
    launcher.launch_service(service.WSGIService('osapi_compute'))
    launcher.wait()


# ------------------------------------------------------------------ talking to the APIs

class Api:
    """A few REST calls with a Keystone token, enough to set the cloud up."""

    def __init__(self, keystone_port):
        self.keystone = 'http://127.0.0.1:%d/v3' % keystone_port
        self.token = None

    def login(self, user='admin', password=ADMIN_PASSWORD, project='admin'):
        body = {'auth': {'identity': {'methods': ['password'], 'password': {'user': {
            'name': user, 'domain': {'id': 'default'}, 'password': password}}},
            'scope': {'project': {'name': project, 'domain': {'id': 'default'}}}}}
        req = urllib.request.Request(self.keystone + '/auth/tokens', data=json.dumps(body).encode(),
                                     headers={'Content-Type': 'application/json'})
        with urllib.request.urlopen(req, timeout=60) as r:
            self.token = r.headers['X-Subject-Token']
            return json.loads(r.read())

    def call(self, method, url, body=None, headers=None, raw=None, ok=(200, 201, 202, 204)):
        h = {'X-Auth-Token': self.token, 'Accept': 'application/json'}
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            h['Content-Type'] = 'application/json'
        if raw is not None:
            data = raw
            h['Content-Type'] = 'application/octet-stream'
        h.update(headers or {})
        req = urllib.request.Request(url, data=data, headers=h, method=method)
        try:
            with urllib.request.urlopen(req, timeout=120) as r:
                text = r.read()
                return json.loads(text) if text else {}
        except urllib.error.HTTPError as e:
            if e.code in ok:
                return {}
            raise RuntimeError('%s %s: HTTP %d %s' % (method, url, e.code, e.read()[:500]))


def wait_http(url, what, deadline, proc):
    while True:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError('%s exited with %d before it answered' % (what, proc.returncode))
        try:
            with urllib.request.urlopen(url, timeout=5) as r:
                r.read()
                return
        except urllib.error.HTTPError:
            return  # it answers (401/300 are answers)
        except OSError:
            pass
        if time.monotonic() > deadline:
            raise RuntimeError('%s did not answer on %s in time' % (what, url))
        time.sleep(0.2)


def catalog(api, ports):
    base = 'http://127.0.0.1:%d'
    entries = [('nova', 'compute', base % ports['nova'] + '/v2.1'),
               ('glance', 'image', base % ports['glance']),
               ('neutron', 'network', base % ports['neutron']),
               ('placement', 'placement', base % ports['placement'])]
    # bootstrap made identity's public endpoint only; keystonemiddleware looks for the internal one
    identity_id = api.call('GET', api.keystone + '/services?type=identity')['services'][0]['id']
    for interface in ('internal', 'admin'):
        api.call('POST', api.keystone + '/endpoints', {'endpoint': {
            'service_id': identity_id, 'interface': interface, 'url': api.keystone, 'region_id': 'RegionOne'}})
    for name, kind, url in entries:
        s = api.call('POST', api.keystone + '/services', {'service': {'name': name, 'type': kind}})['service']
        for interface in ('public', 'internal', 'admin'):
            api.call('POST', api.keystone + '/endpoints', {'endpoint': {
                'service_id': s['id'], 'interface': interface, 'url': url, 'region_id': 'RegionOne'}})


def identity(api):
    ks = api.keystone
    project = api.call('POST', ks + '/projects', {'project': {'name': 'tollgate', 'domain_id': 'default'}})['project']
    user = api.call('POST', ks + '/users', {'user': {'name': 'tollgate', 'domain_id': 'default',
                                                    'password': USER_PASSWORD,
                                                    'default_project_id': project['id']}})['user']
    member = [r for r in api.call('GET', ks + '/roles?name=member')['roles']][0]
    api.call('PUT', ks + '/projects/%s/users/%s/roles/%s' % (project['id'], user['id'], member['id']))
    return project, user


def application_credential(user_api, user_id):
    body = {'application_credential': {'name': 'tollgate-agents', 'description': 'test peer'}}
    ac = user_api.call('POST', user_api.keystone + '/users/%s/application_credentials' % user_id, body)
    return ac['application_credential']


def images(api, glance):
    out = {}
    for name, visibility in (('debian-12-20261101', 'public'), ('debian-12-20261120', 'public'),
                             ('fedora-40-20261115', 'public')):
        img = api.call('POST', glance + '/v2/images', {
            'name': name, 'disk_format': 'raw', 'container_format': 'bare', 'visibility': visibility,
            'os_distro': name.split('-')[0], 'tollgate_role': 'agent'})
        api.call('PUT', glance + '/v2/images/%s/file' % img['id'], raw=b'tollgate test image ' + name.encode())
        out[name] = img['id']
        time.sleep(1.1)  # distinct created_at seconds, so "newest" is well defined
    return out


def networks(admin, user, neutron, project_id):
    n = neutron + '/v2.0'
    public = admin.call('POST', n + '/networks', {'network': {
        'name': 'public', 'router:external': True, 'provider:network_type': 'flat',
        'provider:physical_network': 'public', 'shared': False}})['network']
    # documentation ranges (RFC 5737): no traffic ever goes anywhere, the addresses are only records
    admin.call('POST', n + '/subnets', {'subnet': {
        'network_id': public['id'], 'cidr': '203.0.113.0/24', 'ip_version': 4, 'enable_dhcp': False,
        'name': 'public-v4'}})
    agents = user.call('POST', n + '/networks', {'network': {'name': 'agents'}})['network']
    subnet = user.call('POST', n + '/subnets', {'subnet': {
        'network_id': agents['id'], 'cidr': '192.0.2.0/24', 'ip_version': 4, 'name': 'agents-v4'}})['subnet']
    router = user.call('POST', n + '/routers', {'router': {
        'name': 'agents-router', 'external_gateway_info': {'network_id': public['id']}}})['router']
    user.call('PUT', n + '/routers/%s/add_router_interface' % router['id'], {'subnet_id': subnet['id']})
    groups = user.call('GET', n + '/security-groups?name=default&project_id=' + project_id)['security_groups']
    return {'public': public['id'], 'agents': agents['id'], 'defaultSecurityGroup': groups[0]['id']}


def quotas(admin, nova, neutron, project_id):
    """No quota for the test project: benchmarks start 20 servers at once and more (the default is 10)."""
    admin.call('PUT', nova + '/os-quota-sets/' + project_id, {'quota_set': {
        'instances': -1, 'cores': -1, 'ram': -1, 'key_pairs': -1, 'metadata_items': -1}})
    admin.call('PUT', neutron + '/v2.0/quotas/' + project_id, {'quota': {
        'floatingip': -1, 'port': -1, 'network': -1, 'subnet': -1, 'router': -1, 'security_group': -1}})


def flavor(admin, nova):
    f = admin.call('POST', nova + '/flavors', {'flavor': {
        'name': 'm1.agent', 'ram': 512, 'vcpus': 1, 'disk': 1, 'os-flavor-access:is_public': True}})['flavor']
    return f['id']


def wait_compute_mapped(d, deadline, nova_proc):
    """The scheduler's periodic discover_hosts maps the compute host into cell1; boots fail until then."""
    db = os.path.join(d, 'db', 'nova_api.db')
    while True:
        if nova_proc.poll() is not None:
            raise RuntimeError('nova exited with %d' % nova_proc.returncode)
        try:
            con = sqlite3.connect(db, timeout=5)
            try:
                n = con.execute('SELECT count(*) FROM host_mappings').fetchone()[0]
            finally:
                con.close()
            if n > 0:
                return
        except sqlite3.Error:
            pass
        if time.monotonic() > deadline:
            raise RuntimeError('the compute host was not mapped into a cell in time')
        time.sleep(0.3)


# ------------------------------------------------------------------ main

def end_group():
    """Ends every process this launcher started (services and set-up commands alike), then itself."""
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    try:
        os.killpg(0, signal.SIGTERM)
    except OSError:
        pass
    time.sleep(1)
    try:
        os.killpg(0, signal.SIGKILL)
    finally:
        os._exit(0)


def run(args):
    d = os.path.abspath(args.dir)
    if os.getpgrp() != os.getpid():
        os.setpgid(0, 0)  # our own group, so that end_group() reaches exactly what we started
    ports = {s: free_port() for s in ('keystone', 'placement', 'glance', 'neutron', 'nova')}
    write_configs(d, ports)
    e = env(d)
    procs = {}
    stopping = threading.Event()

    def stop(*_):
        if stopping.is_set():
            return
        stopping.set()
        for p in procs.values():
            if p.poll() is None:
                p.terminate()
        for p in procs.values():
            try:
                p.wait(10)
            except subprocess.TimeoutExpired:
                p.kill()

    def on_signal(*_):
        stop()
        end_group()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)

    def start(service):
        out = open(os.path.join(d, 'log', service + '.out'), 'w')
        procs[service] = subprocess.Popen(
            [sys.executable, os.path.abspath(__file__), 'serve', service, '--dir', d, '--port', str(ports[service])],
            stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=e, cwd=d)

    try:
        prepare_databases(d, ports)
        log('databases ready')
        deadline = time.monotonic() + START_TIMEOUT  # counted from here: making the schema cache may take minutes
        # Nova's compute registers with Placement as it starts and exits if it cannot: it starts last,
        # once Keystone has the catalog and Placement answers
        for s in ('keystone', 'placement', 'glance', 'neutron'):
            start(s)
        wait_http('http://127.0.0.1:%d/v3' % ports['keystone'], 'keystone', deadline, procs['keystone'])
        admin = Api(ports['keystone'])
        admin.login()
        catalog(admin, ports)
        project, user = identity(admin)
        log('keystone ready')
        wait_http('http://127.0.0.1:%d/' % ports['placement'], 'placement', deadline, procs['placement'])
        start('nova')
        for s in ('glance', 'neutron', 'nova'):
            wait_http('http://127.0.0.1:%d/' % ports[s], s, deadline, procs[s])
            log(s + ' answers')
        member = Api(ports['keystone'])
        member.login('tollgate', USER_PASSWORD, 'tollgate')
        base = 'http://127.0.0.1:%d'
        # Glance, Neutron and Nova are set up at once: each is a separate process
        results, failures = {}, []

        def task(key, fn):
            try:
                results[key] = fn()
            except Exception as ex:
                failures.append('%s: %s' % (key, ex))
        work = [threading.Thread(target=task, args=('images', lambda: images(admin, base % ports['glance']))),
                threading.Thread(target=task, args=('networks', lambda: networks(
                    admin, member, base % ports['neutron'], project['id'])))]
        for w in work:
            w.start()
        flavor_id = flavor(admin, base % ports['nova'] + '/v2.1')
        quotas(admin, base % ports['nova'] + '/v2.1', base % ports['neutron'], project['id'])
        keypair = member.call('POST', base % ports['nova'] + '/v2.1/os-keypairs',
                              {'keypair': {'name': 'tollgate'}})['keypair']
        for w in work:
            w.join()
        if failures:
            raise RuntimeError('; '.join(failures))
        image_ids, nets = results['images'], results['networks']
        ac = application_credential(member, user['id'])
        wait_compute_mapped(d, deadline, procs['nova'])
        log('compute host mapped')
        ready = {
            'authUrl': 'http://127.0.0.1:%d/v3' % ports['keystone'],
            'ports': ports, 'region': 'RegionOne', 'domain': 'Default',
            'project': 'tollgate', 'projectId': project['id'],
            'user': 'tollgate', 'password': USER_PASSWORD, 'userId': user['id'],
            'adminUser': 'admin', 'adminPassword': ADMIN_PASSWORD, 'adminProject': 'admin',
            'applicationCredentialId': ac['id'], 'applicationCredentialSecret': ac['secret'],
            'flavor': 'm1.agent', 'flavorId': flavor_id, 'images': image_ids,
            'keyPair': keypair['name'], 'networks': nets,
            'startSeconds': round(time.monotonic() - T0, 1),
            'pid': os.getpid(),
        }
        tmp = args.ready_file + '.tmp'
        with open(tmp, 'w') as f:
            json.dump(ready, f, indent=1)
        os.replace(tmp, args.ready_file)
        log('READY in %.1f s' % (time.monotonic() - T0))
        print('READY', flush=True)
    except Exception as ex:
        log('FAILED: %s' % ex)
        stop()
        return 1

    # supervise: a service that dies ends the peer (tests then fail loudly); a closed stdin means the
    # test JVM is gone
    def watch_stdin():
        try:
            while sys.stdin.buffer.read(1024):
                pass
        except OSError:
            pass
        stop()
        end_group()
    threading.Thread(target=watch_stdin, daemon=True).start()
    while not stopping.is_set():
        for s, p in procs.items():
            if p.poll() is not None:
                log('%s exited with %d; stopping the peer (see %s/log)' % (s, p.returncode, d))
                stop()
                return 1
        time.sleep(0.5)
    return 0


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    sub = ap.add_subparsers(dest='cmd', required=True)
    r = sub.add_parser('run')
    r.add_argument('--dir', required=True)
    r.add_argument('--ready-file')
    s = sub.add_parser('serve')
    s.add_argument('service')
    s.add_argument('--dir', required=True)
    s.add_argument('--port', type=int, required=True)
    args = ap.parse_args()
    if args.cmd == 'serve':
        serve(args.service, os.path.abspath(args.dir), args.port)
        return 0
    args.ready_file = args.ready_file or os.path.join(args.dir, 'ready.json')
    return run(args)


if __name__ == '__main__':
    sys.exit(main())
