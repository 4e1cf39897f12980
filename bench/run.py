"""`make bench`: load-test the portal as `make serve` runs it, on a large forum in a fresh database.

1. a fresh database: PostgreSQL `<name>_bench` on DATABASE_URL's server when DATABASE_URL is
   set, else SQLite in a temporary directory (never the developer's database);
2. bench/generate.py: 300 sessions, 3,000 people, 5,000 participations, 600 materials;
3. bench/probe.py: bytes and SQL queries per target, the static copy of the session page, the
   first-load weight, logged-in participants for the POST, programme render time at 300 and
   30 sessions with the cache emptied before each request;
4. `make serve` (gunicorn) with the cache on, then again with it off (CACHE_URL=dummy://);
   wrk loads each target for BENCH_SECONDS (10) with 16 connections, gzip accepted, after
   2 untimed seconds that warm every worker's cache (pages and static files, cache on);
5. a Markdown table to stdout and to bench/results/<date>-<database>.md.

Environment: DATABASE_URL (PostgreSQL), CACHE_URL (default: local memory per worker),
WEB_CONCURRENCY, BENCH_SECONDS, BENCH_CONNECTIONS. Needs wrk (installed with apt-get if missing).
"""

import json
import os
import platform
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
SECONDS = int(os.environ.get("BENCH_SECONDS") or 10)
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS") or 16)
# Untimed load before each page and static target: every worker's cache gets its entry.
WARM_SECONDS = 2
THREADS = 2
CACHED = ["programme", "session page", "speakers list", "speaker page", "API sessions (first 50)"]
STATIC = ["static CSS file", "static copy of the session page"]


def log(message):
    print(f"bench: {message}", file=sys.stderr, flush=True)


def ensure_wrk():
    if shutil.which("wrk"):
        return
    log("installing wrk from Debian's packages")
    sudo = [] if os.geteuid() == 0 else ["sudo"]
    subprocess.run([*sudo, "apt-get", "install", "-y", "wrk"], check=True)


def fresh_database(tmp):
    """A URL for a new, empty database, and a label for the results."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        return f"sqlite:///{tmp}/bench.sqlite3", "sqlite"
    parts = urlsplit(url)
    name = f"{parts.path.lstrip('/') or 'forum_portal'}_bench"
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')
    return urlunsplit(parts._replace(path=f"/{name}")), "postgresql"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run(args, env, capture=False):
    result = subprocess.run(args, cwd=ROOT, env=env, check=True, text=True,
                            stdout=subprocess.PIPE if capture else None)  # fmt: skip
    return result.stdout


def probe(env, *args):
    return json.loads(run([PY, "bench/probe.py", *args], env, capture=True))


class Server:
    """`make serve` in its own process group, with its workers' memory sampled."""

    def __init__(self, env):
        self.env = env
        self.port = int(env["PORT"])
        self.max_rss = 0
        self.stopped = threading.Event()

    def __enter__(self):
        self.process = subprocess.Popen(["make", "--no-print-directory", "serve"], cwd=ROOT,
                                        env=self.env, start_new_session=True)  # fmt: skip
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{self.port}/healthz", timeout=2)
                break
            except OSError:
                if time.monotonic() > deadline or self.process.poll() is not None:
                    self.__exit__()
                    raise RuntimeError("make serve did not start") from None
                time.sleep(0.3)
        threading.Thread(target=self.sample, daemon=True).start()
        return self

    def workers(self):
        pids = []
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
                cmdline = (stat.parent / "cmdline").read_bytes()
            except OSError:
                continue
            # Workers are gunicorn processes in our process group, other than the master.
            if int(fields[2]) == self.process.pid and b"gunicorn" in cmdline:
                if (
                    int(fields[1]) != 1
                    and b"gunicorn" in Path(f"/proc/{fields[1]}/cmdline").read_bytes()
                ):
                    pids.append(int(stat.parent.name))
        return pids

    def sample(self):
        while not self.stopped.wait(0.5):
            for pid in self.workers():
                try:
                    status = Path(f"/proc/{pid}/status").read_text()
                except OSError:
                    continue
                rss = re.search(r"VmRSS:\s+(\d+)", status)
                if rss is None:  # a worker on its way out (recycled after max_requests)
                    continue
                self.max_rss = max(self.max_rss, int(rss.group(1)) // 1024)

    def __exit__(self, *exc):
        self.stopped.set()
        try:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=30)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            os.killpg(self.process.pid, signal.SIGKILL)


def wrk(port, path, script=None, seconds=SECONDS):
    args = ["wrk", f"-t{THREADS}", f"-c{CONNECTIONS}", f"-d{seconds}s", "--latency",
            "-H", "Accept-Encoding: gzip"]  # fmt: skip
    if script:
        args += ["-s", script]
    output = subprocess.run([*args, f"http://127.0.0.1:{port}{path}"], check=True, text=True,
                            capture_output=True).stdout  # fmt: skip

    def latency(percent):
        value, unit = re.search(rf"^\s+{percent}%\s+([\d.]+)(us|ms|s)\s*$", output, re.M).groups()
        return float(value) * {"us": 0.001, "ms": 1, "s": 1000}[unit]

    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    socket_errors = re.search(r"Socket errors: (.*)", output)
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),
        "p50": latency(50),
        "p99": latency(99),
        "requests": int(re.search(r"(\d+) requests in", output).group(1)),
        "errors": int(errors.group(1)) if errors else 0,
        "socket_errors": socket_errors.group(1) if socket_errors else "",
        "output": output,
    }


POST_SCRIPT = """
local users = %(users)s
local slugs = %(slugs)s
local threads = {}
local counter = 1
function setup(thread)
  thread:set("id", counter)
  counter = counter + 1
  table.insert(threads, thread)
end
function init(args)
  stored, refused, failed = 0, 0, 0
  math.randomseed(os.time() * 100 + id)
end
function request()
  local user = users[math.random(#users)]
  local slug = slugs[math.random(#slugs)]
  local token = string.format("%%08x-%%04x-4%%03x-8%%03x-%%06x%%06x", math.random(0, 0x7fffffff),
    math.random(0, 0xffff), math.random(0, 0xfff), math.random(0, 0xfff),
    math.random(0, 0xffffff), math.random(0, 0xffffff))
  local body = "csrfmiddlewaretoken=" .. user.token .. "&title=Benchmark+proposal" ..
    "&wording=Recommend+the+measure+" .. token .. "&rationale=It+is+needed" ..
    "&addressee=regional&submission_token=" .. token .. "&submit=Submit"
  return wrk.format("POST", "/sessions/" .. slug .. "/proposals/new/", {
    ["Content-Type"] = "application/x-www-form-urlencoded",
    ["Cookie"] = "sessionid=" .. user.sessionid .. "; csrftoken=" .. user.csrftoken,
  }, body)
end
function response(status, headers, body)
  if status == 302 then stored = stored + 1
  elseif status >= 500 then failed = failed + 1
  else refused = refused + 1 end
end
function done(summary, latency, requests)
  local s, r, f = 0, 0, 0
  for _, thread in ipairs(threads) do
    s = s + thread:get("stored")
    r = r + thread:get("refused")
    f = f + thread:get("failed")
  end
  io.write(string.format("STORED %%d REFUSED %%d FAILED %%d\\n", s, r, f))
end
"""


def lua_table(items):
    def value(item):
        if isinstance(item, dict):
            return "{" + ", ".join(f'{k} = "{v}"' for k, v in item.items()) + "}"
        return f'"{item}"'

    return "{" + ", ".join(value(item) for item in items) + "}"


def machine():
    cpu = "unknown CPU"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    memory = int(re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text()).group(1))
    system = f"{platform.system()} {platform.release()}"
    return (f"{os.cpu_count()} cores ({cpu}), {memory // 1024 // 1024} GB RAM, {system}, "
            f"Python {platform.python_version()}")  # fmt: skip


def main():
    ensure_wrk()
    started = time.monotonic()
    # Other work on the machine takes CPU from the server and wrk alike: say how much there was.
    cpu_before = cpu_times()
    with tempfile.TemporaryDirectory(prefix="forum-bench-") as tmp:
        database_url, database = fresh_database(tmp)
        small_url, _ = (f"sqlite:///{tmp}/small.sqlite3", None)
        if database == "postgresql":
            parts = urlsplit(database_url)
            small_url = urlunsplit(parts._replace(path=parts.path + "_small"))
            admin = urlunsplit(parts._replace(path="/postgres"))
            with psycopg.connect(admin, autocommit=True) as connection:
                name = parts.path.lstrip("/") + "_small"
                connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
                connection.execute(f'CREATE DATABASE "{name}"')
        port = free_port()
        env = {
            **os.environ,
            "DEBUG": "0",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
            "HTTPS": "0",
            "DATABASE_URL": database_url,
            "MEDIA_ROOT": f"{tmp}/media",
            "PORT": str(port),
            "LOG_LEVEL": "WARNING",
        }
        env.setdefault("CACHE_URL", os.environ.get("CACHE_URL") or "locmem://")
        small_env = {**env, "DATABASE_URL": small_url}
        log(f"fresh {database} database; generating the forum")
        for e in (env, small_env):
            run([PY, "manage.py", "migrate", "--noinput", "--verbosity", "0"], e)
        log(run([PY, "bench/generate.py"], env, capture=True).strip())
        run([PY, "bench/generate.py", "--sessions", "30"], small_env, capture=True)
        run([PY, "manage.py", "collectstatic", "--noinput", "--verbosity", "0"], env)
        static_dir = ROOT / "staticfiles" / "bench"
        log("measuring sizes, queries and render times in-process")
        info = probe(env, "targets", str(static_dir))
        big = probe({**env, "CACHE_URL": "dummy://"}, "render")
        small = probe({**small_env, "CACHE_URL": "dummy://"}, "render")
        post = info.pop("proposal POST")
        first_load = info.pop("first load of the session page")
        script = Path(tmp) / "post.lua"
        script.write_text(POST_SCRIPT % {"users": lua_table(post["users"]),
                                         "slugs": lua_table(post["slugs"])})  # fmt: skip

        results = {}
        try:
            log(f"make serve, cache on ({env['CACHE_URL']}); {SECONDS} s per target")
            with Server(env) as server:
                for name in CACHED + STATIC:
                    # "Cache warm": with a local-memory cache each worker keeps its own copy,
                    # so one request warms one worker; an untimed run warms them all.
                    wrk(port, info[name]["url"], seconds=WARM_SECONDS)
                    results[name] = wrk(port, info[name]["url"])
                    log(f"{name}: {results[name]['rps']:.0f} req/s")
                before = probe(env, "count")["proposals"]
                results["proposal POST"] = wrk(port, "/sessions/x/", script=str(script))
                after = probe(env, "count")["proposals"]
                log(f"proposal POST: {results['proposal POST']['rps']:.0f} req/s")
                memory_cached = server.max_rss
            log("make serve, cache off (CACHE_URL=dummy://)")
            with Server({**env, "CACHE_URL": "dummy://"}) as server:
                for name in CACHED:
                    results[f"{name}, cache off"] = wrk(port, info[name]["url"])
                    log(f"{name}, cache off: {results[f'{name}, cache off']['rps']:.0f} req/s")
                memory_uncached = server.max_rss
        finally:
            shutil.rmtree(static_dir, ignore_errors=True)
            if database == "postgresql":
                drop_databases(database_url, small_url)

    post_result = results["proposal POST"]
    stored_match = re.search(r"STORED (\d+) REFUSED (\d+) FAILED (\d+)", post_result["output"])
    stored, refused, failed = (int(g) for g in stored_match.groups())
    report = render_report(
        database=database, info=info, post=post, results=results, first_load=first_load,
        big=big, small=small, stored=stored, refused=refused, failed=failed, counted=after - before,
        memory=max(memory_cached, memory_uncached), elapsed=time.monotonic() - started,
        cache_url=env["CACHE_URL"], others=others_cpu(cpu_before, cpu_times(), database_url),
    )  # fmt: skip
    print(report)
    out = ROOT / "bench" / "results" / f"{datetime.now():%Y-%m-%d-%H%M}-{database}.md"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(report)
    log(f"written to {out.relative_to(ROOT)}")


def cpu_times():
    """CPU seconds each process has used so far: {pid: (session id, command line, seconds)}."""
    tick = os.sysconf("SC_CLK_TCK")
    times = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            command = (stat.parent / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except (OSError, UnicodeDecodeError):
            continue
        seconds = (int(fields[11]) + int(fields[12])) / tick
        times[int(stat.parent.name)] = (int(fields[3]), command.strip(), seconds)
    return times


def others_cpu(before, after, database_url):
    """CPU seconds used during the run by processes other than ours (this script, wrk, the
    servers, PostgreSQL's connections to the benchmark's databases), and the biggest user."""
    ours = os.getsid(0)
    database = urlsplit(database_url).path.lstrip("/")
    used = {}
    for pid, (session, command, seconds) in after.items():
        if (
            not command
            or session == ours
            or "forum_portal.wsgi" in command
            or (database and database in command)
        ):
            continue
        start = before[pid][2] if pid in before else 0.0
        used[command[:60]] = used.get(command[:60], 0.0) + seconds - start
    total = sum(used.values())
    top = max(used.items(), key=lambda item: item[1], default=("", 0.0))
    return total, (f"; the most: `{top[0]}` {top[1]:.0f} s" if top[1] >= 1 else "")


def drop_databases(*urls):
    parts = urlsplit(urls[0])
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as connection:
        for url in urls:
            name = urlsplit(url).path.lstrip("/")
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def render_report(*, database, info, post, results, first_load, big, small, stored, refused,
                  failed, counted, memory, elapsed, cache_url, others):  # fmt: skip
    ceiling = results["static copy of the session page"]["rps"]
    rows = []
    for name in [*CACHED, *STATIC, "proposal POST", *(f"{n}, cache off" for n in CACHED)]:
        result = results[name]
        base = name.removesuffix(", cache off")
        details = post if base == "proposal POST" else info[base]
        off = name.endswith("cache off")
        queries = details["queries_cold"] if off else details["queries_warm"]
        errors = result["errors"]
        rows.append(
            f"| {name} | {result['rps']:,.0f} | {result['p50']:.1f} | {result['p99']:.1f} | "
            f"{details['bytes']:,} | {queries} | {result['rps'] / ceiling:.0%} |"
            + (f" {result['errors']} non-2xx/3xx" if errors else "")
            + (f" socket errors: {result['socket_errors']}" if result["socket_errors"] else "")
        )
    assets = ", ".join(f"{Path(a).name} {b:,}" for a, b in first_load["assets"].items())
    lost = stored - counted
    workers = os.environ.get("WEB_CONCURRENCY") or "default: 2 per core + 1"
    command = ("DATABASE_URL=postgres://… " if database == "postgresql" else "") + "make bench"
    weight = f"{first_load['total']:,} bytes (HTML {first_load['html']:,}; {assets})"
    share = others[0] / elapsed / (os.cpu_count() or 1)
    return f"""# Benchmark, {datetime.now():%Y-%m-%d %H:%M}

- Machine: {machine()}
- Database: {database} (fresh: 300 sessions, 3,000 people, 5,000 participations, 600 materials)
- Server: `make serve` (gunicorn gthread, WEB_CONCURRENCY {workers}), cache `{cache_url}`
- Load: wrk, {THREADS} threads, {CONNECTIONS} connections, {SECONDS} s per target,
  `Accept-Encoding: gzip`
- Command: `{command}` (total {elapsed:.0f} s)
- Other work on the machine meanwhile: {others[0]:.0f} CPU-seconds, {share:.0%} of its cores
  over the run{others[1]} (it competes with the server and wrk: the higher, the lower the
  figures)

| target | req/s | p50 ms | p99 ms | bytes | SQL queries/request | of static ceiling |
|---|---:|---:|---:|---:|---:|---:|
{chr(10).join(rows)}

"bytes" is the gzip-compressed response; "SQL queries" with a warm cache for the cached rows
and with the cache emptied for "cache off". The ceiling is the static copy of the session
page's own HTML served by the same gunicorn and WhiteNoise. Anonymous pages with the cache on
come whole from the fast path (sessions/page_cache/): their one query reads the programme
version. The speakers list is its first page (100 people a page).

- Programme render with the cache off: {small["ms"]:.1f} ms for {small["sessions"]} published
  sessions, {big["ms"]:.1f} ms for {big["sessions"]} ({big["ms"] / small["ms"]:.1f}×; target ≤ 10×);
  {small["queries"]} and {big["queries"]} queries.
- Proposal POSTs: {stored:,} stored (302), {refused:,} refused (4xx/200 with the form),
  {failed:,} server errors (5xx); the database gained
  {counted:,} proposals — {"none lost" if lost <= 0 else f"{lost} LOST"}.
- First load of the session page, compressed: {weight};
  render-blocking scripts: {first_load["blocking_scripts"]}.
- Largest gunicorn worker RSS during the run: {memory} MB.
"""


if __name__ == "__main__":
    main()
