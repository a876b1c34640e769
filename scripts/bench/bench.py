#!/usr/bin/python3
"""The crawl benchmark behind scripts/bench.sh (see its --help and README "Benchmarks").

Serves a site with nginx on 127.0.0.1 (as the current user: its own prefix, config, pid file and
logs), crawls it with `crawler` and with peer crawlers at the same concurrency and no politeness
delay, counts the HTML pages each run fetched from nginx's access log, measures wall time, CPU
(user+sys) and peak RSS of the tool alone (wait4 rusage of the tool's process tree), and the
machine's steal time; a run disturbed by steal is repeated. Writes results.md, results.json and
a PNG chart into the output folder and prints the table.

Modes: the generated site (default), --pydocs (the Python 3.11 documentation from Debian's
python3.11-doc), --scale (one template page rewritten per request into an unbounded tree,
crawled to --scale-pages while RSS is sampled every second).
"""

import argparse
import collections
import json
import os
import platform
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
ALL_TOOLS = ["crawler", "crawler-text", "wget", "wget2", "httrack", "scrapy", "crawlee"]
# Archiving: the crawler with WARC output (and its CDXJ index) against wget --warc-file (with
# --warc-cdx), the one peer here that writes WARC. Run with --warc (or name them in --tools).
WARC_TOOLS = ["crawler", "crawler-warc", "wget-warc"]
KNOWN_TOOLS = ALL_TOOLS + ["crawler-warc", "wget-warc"]
PYDOCS = "/usr/share/doc/python3.11/html"


def log(msg):
    print("bench: " + msg, file=sys.stderr, flush=True)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# ---------------------------------------------------------------------------------------------
# Machine state: steal time and load.

def cpu_times():
    """(steal, total) jiffies over all CPUs from /proc/stat."""
    with open("/proc/stat") as f:
        fields = [int(x) for x in f.readline().split()[1:]]
    # user nice system idle iowait irq softirq steal guest guest_nice; guest is inside user.
    return fields[7], sum(fields[:8])


def loadavg():
    with open("/proc/loadavg") as f:
        return float(f.read().split()[0])


# ---------------------------------------------------------------------------------------------
# nginx

class Nginx:
    """nginx as the current user, in the foreground under our control (daemon off)."""

    def __init__(self, work, out, root, port, scale_template=None):
        self.port = port
        self.access_log = os.path.join(out, "nginx-access.log")
        self.error_log = os.path.join(out, "nginx-error.log")
        prefix = os.path.join(work, "nginx")
        os.makedirs(os.path.join(prefix, "tmp"), exist_ok=True)
        nofile = os.sysconf("SC_OPEN_MAX")
        # The open-file cache stays well below the process's descriptor limit.
        cache = max(100, min(100000, nofile // 2))
        user = "user nobody nogroup;" if os.geteuid() == 0 else ""
        scale = ""
        if scale_template:
            # One template page for every path under /t/: the links in it are derived from the
            # request path, so the tree has no end and no files on disk. tcp_nopush off: with it,
            # a filtered (chunked) response on a reused connection waited for the client's
            # delayed ACK, 40 ms a page, which capped 16 connections at ~370 pages/s.
            scale = """
    location /t/ {
      rewrite ^ /%s break;
      sub_filter_once off;
      sub_filter '@URI@' '$request_uri';
      tcp_nopush off;
    }""" % scale_template
        conf = """
%(user)s
worker_processes 2;
daemon off;
pid %(prefix)s/nginx.pid;
error_log %(error_log)s warn;
worker_rlimit_nofile %(nofile)d;
events { worker_connections 4096; }
http {
  include /etc/nginx/mime.types;
  log_not_found off;
  default_type application/octet-stream;
  log_format bench '$status $request_method "$request_uri" "$sent_http_content_type" $body_bytes_sent';
  access_log %(access_log)s bench;
  client_body_temp_path %(prefix)s/tmp/body;
  proxy_temp_path %(prefix)s/tmp/proxy;
  fastcgi_temp_path %(prefix)s/tmp/fastcgi;
  uwsgi_temp_path %(prefix)s/tmp/uwsgi;
  scgi_temp_path %(prefix)s/tmp/scgi;
  sendfile on;
  tcp_nopush on;
  tcp_nodelay on;
  gzip off;
  keepalive_timeout 65;
  keepalive_requests 1000000;
  open_file_cache max=%(cache)d inactive=120s;
  open_file_cache_valid 120s;
  open_file_cache_errors on;
  server {
    listen 127.0.0.1:%(port)d;
    root %(root)s;
    index index.html;%(scale)s
  }
}
""" % dict(user=user, prefix=prefix, error_log=self.error_log, nofile=nofile,
           access_log=self.access_log, cache=cache, port=port, root=root, scale=scale)
        self.conf = os.path.join(prefix, "nginx.conf")
        with open(self.conf, "w") as f:
            f.write(conf)
        shutil.copy(self.conf, os.path.join(out, "nginx.conf"))
        open(self.access_log, "w").close()
        self.proc = subprocess.Popen(
            ["nginx", "-p", prefix, "-e", self.error_log, "-c", self.conf],
            stdin=subprocess.DEVNULL, start_new_session=True)
        deadline = time.monotonic() + 10
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if self.proc.poll() is not None or time.monotonic() > deadline:
                    self.stop()
                    raise SystemExit("bench: nginx did not start; see " + self.error_log)
                time.sleep(0.05)

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGQUIT)  # graceful: lets workers close their logs
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()

    def take_log(self):
        """The access-log lines written since the last call (the log is emptied after)."""
        with open(self.access_log, "rb") as f:
            data = f.read()
        os.truncate(self.access_log, 0)  # nginx appends (O_APPEND): the next line goes at 0
        return data.decode("utf-8", "replace").splitlines()


LOG_LINE = re.compile(r'^(\d{3}) (\S+) "([^"]*)" "([^"]*)" (\d+)$')


def count_log(lines):
    """Counts from access-log lines: distinct HTML pages served with 200, and the rest."""
    html = set()
    c = collections.Counter()
    for line in lines:
        m = LOG_LINE.match(line)
        if not m:
            c["unparsed"] += 1
            continue
        status, _method, uri, ctype, size = m.groups()
        c["requests"] += 1
        c["bytes"] += int(size)
        if status == "200" and ctype.startswith("text/html"):
            c["html_200"] += 1
            html.add(uri)
        elif status == "404":
            c["404"] += 1
        elif status != "200":
            c["other_status"] += 1
        else:
            c["non_html"] += 1
    c["pages"] = len(html)
    return c, html


# ---------------------------------------------------------------------------------------------
# Running one tool

def run_measured(cmd, logfile, cwd=None, env=None, timeout=3600, on_start=None):
    """Runs `cmd`; returns (exit code, wall s, user s, sys s, peak RSS KiB) of its process tree."""
    with open(logfile, "wb") as logf:
        t0 = time.monotonic()
        proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdin=subprocess.DEVNULL, stdout=logf,
                                stderr=subprocess.STDOUT, start_new_session=True)
        if on_start:
            on_start(proc.pid)
        timer = threading.Timer(timeout, lambda: os.killpg(proc.pid, signal.SIGKILL))
        timer.start()
        try:
            # wait4 gives the rusage of the child and of every descendant it waited for.
            _, status, ru = os.wait4(proc.pid, 0)
        except BaseException:
            # Interrupted (Ctrl-C reaches only us: the tool runs in its own session).
            os.killpg(proc.pid, signal.SIGKILL)
            os.waitpid(proc.pid, 0)
            raise
        finally:
            timer.cancel()
        wall = time.monotonic() - t0
        proc.returncode = os.waitstatus_to_exitcode(status)
    return proc.returncode, wall, ru.ru_utime, ru.ru_stime, ru.ru_maxrss


class Bench:
    def __init__(self, args):
        self.a = args
        self.out = os.path.abspath(args.out)
        os.makedirs(self.out, exist_ok=True)
        self.logs = os.path.join(self.out, "logs")
        os.makedirs(self.logs, exist_ok=True)
        self.work = tempfile.mkdtemp(prefix="crawler-bench-", dir=args.tmpfs)
        os.chmod(self.work, 0o755)  # nginx workers (nobody when run as root) read the site
        self.nginx = None

    def close(self):
        if self.nginx:
            self.nginx.stop()
            self.nginx = None
        if not self.a.keep:
            shutil.rmtree(self.work, ignore_errors=True)
        else:
            log("kept " + self.work)

    # -- tool commands ----------------------------------------------------------------------

    def crawler_config(self, name, seed, dest, text, max_pages=0, state="", warc=False):
        c = self.a.concurrency
        cfg = os.path.join(self.work, name + ".yaml")
        with open(cfg, "w") as f:
            f.write("""seeds: [%s]
scope: {max_depth: -1, max_pages: %d}
pool: {workers: %d}
politeness: {robots: false, delay: 0, per_host: %d}
output: {dir: %s, text: %s, links: true, warc: {enabled: %s}}
state: {dir: "%s"}
log: {level: warn}
""" % (seed, max_pages, c, c, dest, "true" if text else "false", "true" if warc else "false",
       state))
        shutil.copy(cfg, os.path.join(self.logs, name + ".yaml"))
        return cfg

    def command(self, tool, seed, dest):
        """(argv, cwd, env) of one peer crawling `seed`, saving under `dest` (tmpfs)."""
        c = str(self.a.concurrency)
        env = dict(os.environ)
        if tool in ("crawler", "crawler-text", "crawler-warc"):
            cfg = self.crawler_config(tool, seed, dest, tool == "crawler-text",
                                      warc=tool == "crawler-warc")
            return [self.a.crawler, "--config", cfg], dest, env
        if tool == "wget-warc":
            return ["wget", "-r", "-l", "inf", "-nv", "-e", "robots=off", "--no-parent",
                    "--warc-file=" + os.path.join(dest, "crawl"), "--warc-cdx", "-P", dest,
                    seed], dest, env
        if tool == "wget":
            # wget has one connection: it has no concurrency setting.
            return ["wget", "-r", "-l", "inf", "-nv", "-e", "robots=off", "--no-parent",
                    "-P", dest, seed], dest, env
        if tool == "wget2":
            return ["wget2", "-r", "-l", "inf", "--max-threads", c, "--robots=off", "-nv",
                    "--no-parent", "-P", dest, seed], dest, env
        if tool == "httrack":
            # -%! lifts httrack's built-in caps; then -%c0 -A0 lift its connections/s and
            # bytes/s limits (a large -%c instead leaves it at about one page a second).
            return ["httrack", seed, "-O", dest, "-c" + c, "-%!", "-%c0", "-A0", "-s0", "-r9999",
                    "-%e0", "-q", "-I0", "-#L100000000"], dest, env
        if tool == "scrapy":
            return ["/usr/bin/python3", os.path.join(HERE, "scrapy_crawl.py"), seed,
                    os.path.join(dest, "items.jsonl"), c], dest, env
        if tool == "crawlee":
            # ESM resolves packages from the script's folder: run a copy beside node_modules.
            script = os.path.join(self.a.node_dir, "crawlee_crawl.mjs")
            shutil.copy(os.path.join(HERE, "crawlee_crawl.mjs"), script)
            env["CRAWLEE_STORAGE_DIR"] = os.path.join(dest, "storage")
            env["CRAWLEE_PURGE_ON_START"] = "true"
            return ["node", script, seed, c], dest, env
        raise SystemExit("bench: unknown tool %r (known: %s)" % (tool, ", ".join(ALL_TOOLS)))

    def run_tool(self, label, tool, seed, expected, expected_set=None):
        """Runs one tool, repeating a run disturbed by steal time; returns its result row."""
        notes = []
        for attempt in range(1, self.a.repeats + 1):
            dest = os.path.join(self.work, "out-" + tool)
            shutil.rmtree(dest, ignore_errors=True)
            os.makedirs(dest)
            argv, cwd, env = self.command(tool, seed, dest)
            self.nginx.take_log()
            steal0, total0 = cpu_times()
            load0 = loadavg()
            logfile = os.path.join(self.logs, "%s-%s.log" % (label, tool))
            log("%s: %s (run %d)" % (label, tool, attempt))
            rc, wall, user, sys_, rss = run_measured(argv, logfile, cwd=cwd, env=env,
                                                     timeout=self.a.timeout)
            steal1, total1 = cpu_times()
            lines = self.nginx.take_log()
            counts, html = count_log(lines)
            if self.a.save_access_logs:
                with open(logfile[:-4] + "-access.log", "w") as f:
                    f.write("\n".join(lines) + "\n")
            steal = (steal1 - steal0) / max(1, total1 - total0)
            row = dict(tool=tool, exit=rc, wall=wall, user=user, sys=sys_, rss_kib=rss,
                       steal=steal, load=load0, attempt=attempt, expected=expected,
                       **{k: counts[k] for k in ("pages", "requests", "html_200", "404",
                                                 "non_html", "other_status", "bytes")})
            if expected_set is not None:
                row["missed"] = len(expected_set - html)
                row["extra"] = len(html - expected_set)
            shutil.rmtree(dest, ignore_errors=True)
            if steal > self.a.steal_threshold and attempt < self.a.repeats:
                notes.append("run %d repeated: steal %.1f%%" % (attempt, 100 * steal))
                log(notes[-1])
                continue
            break
        if steal > self.a.steal_threshold:
            notes.append("steal %.1f%% after %d runs" % (100 * steal, self.a.repeats))
        if rc != 0 and not (tool in ("wget", "wget-warc", "wget2") and rc == 8):
            notes.append("exit %d (see logs/%s-%s.log)" % (rc, label, tool))
        if row["pages"] != expected:
            notes.append("fetched %d HTML pages, the site has %d" % (row["pages"], expected))
        row["notes"] = "; ".join(notes)
        return row

    def run_tools(self, label, seed, expected, expected_set):
        """Runs every tool --runs times, interleaved (run 1 of each tool, then run 2 ...) so a
        change in the machine's load falls on all of them; returns one row per tool: its run
        with the median CPU per page, noting the range over the runs."""
        runs = {tool: [] for tool in self.a.tools}
        for _ in range(self.a.runs):
            for tool in self.a.tools:
                runs[tool].append(self.run_tool(label, tool, seed, expected, expected_set))
        rows = []
        for tool in self.a.tools:
            ordered = sorted(runs[tool], key=per_page_cpu)
            row = dict(ordered[(len(ordered) - 1) // 2])
            if len(ordered) > 1:
                cpu = [1000 * per_page_cpu(r) for r in ordered]
                speed = sorted(rate(r) for r in ordered)
                note = "median of %d runs (CPU ms/page %.2f-%.2f, pages/s %s-%s)" % (
                    len(ordered), cpu[0], cpu[-1], fmt(speed[0]), fmt(speed[-1]))
                row["notes"] = "; ".join(x for x in (note, row["notes"]) if x)
                row["runs"] = [dict(wall=r["wall"], user=r["user"], sys=r["sys"],
                                    pages=r["pages"], rss_kib=r["rss_kib"]) for r in runs[tool]]
            rows.append(row)
        return rows

    # -- modes ------------------------------------------------------------------------------

    def compare(self, label, title, root, seed_path, expected_set, extra_conditions):
        port = free_port()
        self.nginx = Nginx(self.work, self.out, root, port)
        seed = "http://127.0.0.1:%d%s" % (port, seed_path)
        try:
            rows = self.run_tools(label, seed, len(expected_set), expected_set)
        finally:
            self.nginx.stop()
            self.nginx = None
        return report_compare(self, label, title, rows, extra_conditions)

    def site(self):
        port_probe = free_port()
        site = os.path.join(self.work, "site")
        origin = "http://127.0.0.1:%d" % port_probe
        log("generating %d pages into %s" % (self.a.pages, site))
        gen = subprocess.run(["/usr/bin/python3", os.path.join(HERE, "gen_site.py"), "--out", site,
                              "--pages", str(self.a.pages), "--origin", origin,
                              "--seed", str(self.a.seed)], check=True, capture_output=True,
                             text=True)
        info = json.loads(gen.stdout)
        # The absolute links name the probed port: serve on it.
        self.nginx = Nginx(self.work, self.out, site, port_probe)
        expected = {"/"} | {"/s%d/p%d.html" % ((n - 1) // 100 + 1, n)
                            for n in range(1, self.a.pages)}
        try:
            rows = self.run_tools("site", origin + "/", len(expected), expected)
        finally:
            self.nginx.stop()
            self.nginx = None
        shutil.rmtree(site, ignore_errors=True)
        cond = "generated site: %d pages, %.0f MB of HTML (%.1f KB a page), seed %d, %d missing " \
               "pages linked (404)" % (info["pages"], info["bytes"] / 1e6,
                                       info["bytes"] / info["pages"] / 1024, self.a.seed,
                                       info["missing"])
        return report_compare(self, "site", "Generated site", rows, cond)

    def pydocs(self):
        if not os.path.isdir(PYDOCS):
            raise SystemExit("bench: %s is missing: install python3.11-doc" % PYDOCS)
        expected = reachable_html(PYDOCS, "/index.html")
        size = sum(os.path.getsize(os.path.join(PYDOCS, p.lstrip("/"))) for p in expected)
        cond = "Python 3.11 documentation (python3.11-doc): %d pages reachable from " \
               "/index.html, %.0f MB of HTML" % (len(expected), size / 1e6)
        return self.compare("pydocs", "Python 3.11 documentation", PYDOCS, "/index.html",
                            expected, cond)

    def scale(self):
        n = self.a.scale_pages
        port = free_port()
        root = os.path.join(self.work, "scale-root")
        os.makedirs(root)
        with open(os.path.join(root, "tree.html"), "w") as f:
            f.write(scale_template(self.a.scale_fanout))
        # The tree's "up" link on /t/ leads here: a page too, so every fetch is a 200.
        with open(os.path.join(root, "index.html"), "w") as f:
            f.write('<!DOCTYPE html><html><head><title>Root</title></head><body>'
                    '<a href="/t/">tree</a></body></html>\n')
        self.nginx = Nginx(self.work, self.out, root, port, scale_template="tree.html")
        seed = "http://127.0.0.1:%d/t/" % port
        dest = os.path.join(self.work, "out-scale")
        os.makedirs(dest)
        state = os.path.join(self.work, "scale-state") if self.a.scale_state == "tmpfs" else ""
        # Without page text: a million records with text would not fit in tmpfs.
        cfg = self.crawler_config("crawler-scale", seed, dest, False, max_pages=n, state=state)
        samples = []
        stop = threading.Event()

        def sampler(pid):
            def loop():
                pages = 0
                t0 = time.monotonic()
                with open(self.nginx.access_log, "rb") as logf:
                    while not stop.is_set():
                        pages += logf.read().count(b"\n")
                        try:
                            with open("/proc/%d/status" % pid) as st:
                                rss = int(re.search(r"VmRSS:\s+(\d+)", st.read()).group(1))
                        except (OSError, AttributeError):
                            break
                        samples.append((round(time.monotonic() - t0, 1), pages, rss))
                        stop.wait(1.0)
            threading.Thread(target=loop, daemon=True).start()

        self.nginx.take_log()
        steal0, total0 = cpu_times()
        log("scale: crawling %d pages of the generated tree (fan-out %d)" % (n, self.a.scale_fanout))
        try:
            rc, wall, user, sys_, rss = run_measured(
                [self.a.crawler, "--config", cfg], os.path.join(self.logs, "scale-crawler.log"),
                cwd=dest, timeout=self.a.timeout, on_start=sampler)
        finally:
            stop.set()
        steal1, total1 = cpu_times()
        counts, _ = count_log(self.nginx.take_log())
        self.nginx.stop()
        self.nginx = None
        with open(os.path.join(self.out, "scale-rss.csv"), "w") as f:
            f.write("seconds,pages,rss_kib\n")
            f.writelines("%s,%d,%d\n" % s for s in samples)
        stats = {}
        try:
            with open(os.path.join(dest, "stats.json")) as f:
                stats = json.load(f)
        except (OSError, ValueError):
            pass
        out_bytes = sum(os.path.getsize(os.path.join(dest, x)) for x in os.listdir(dest)
                        if os.path.isfile(os.path.join(dest, x)))
        marks = {}
        for mark in (100000, 500000, 1000000):
            if mark <= n:
                at = next((s for s in samples if s[1] >= mark), None)
                marks[mark] = at[2] if at else None
        if samples:
            marks[samples[-1][1]] = samples[-1][2]
        res = dict(pages=counts["pages"], expected=n, exit=rc, wall=wall, user=user, sys=sys_,
                   rss_kib=rss, rss_at=marks, steal=(steal1 - steal0) / max(1, total1 - total0),
                   fanout=self.a.scale_fanout, state=self.a.scale_state, output_bytes=out_bytes,
                   frontier=stats.get("frontier"), samples=len(samples))
        return report_scale(self, res)


# ---------------------------------------------------------------------------------------------
# Sites

class _Links(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.links = []
        self.base = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "base" and a.get("href") and self.base is None:
            self.base = a["href"]
        elif tag in ("a", "area") and a.get("href"):
            self.links.append(a["href"])


def reachable_html(root, start):
    """URL paths of the HTML files under `root` reachable from `start` through <a href> links."""
    seen = {start}
    todo = [start]
    while todo:
        path = todo.pop()
        with open(os.path.join(root, path.lstrip("/")), "rb") as f:
            p = _Links()
            p.feed(f.read().decode("utf-8", "replace"))
        base = urljoin("http://h" + path, p.base) if p.base else "http://h" + path
        for href in p.links:
            u = urlsplit(urljoin(base, href.strip()))
            if u.scheme != "http" or u.netloc != "h":
                continue
            target = u.path
            if target.endswith("/"):
                target += "index.html"
            if target in seen or not target.endswith(".html"):
                continue
            if os.path.isfile(os.path.join(root, target.lstrip("/"))):
                seen.add(target)
                todo.append(target)
    return seen


def scale_template(fanout):
    """The one page behind every /t/... URL; @URI@ becomes the request path (nginx sub_filter)."""
    links = "\n".join('<li><a href="@URI@%d/">child %d</a></li>' % (i, i) for i in range(fanout))
    filler = ("<p>" + "Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod "
              "tempor incididunt ut labore et dolore magna aliqua. " * 6 + "</p>\n") * 25
    return ("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>Tree @URI@</title>"
            "</head>\n<body><h1 id=\"top\">Node @URI@</h1>\n<ul>\n%s\n</ul>\n"
            "<p><a href=\"../\">up</a> <a href=\"/t/\">root</a> <a href=\"#top\">top</a> "
            "<a href=\"@URI@0/#x\">first child again</a></p>\n%s</body></html>\n"
            % (links, filler))


# ---------------------------------------------------------------------------------------------
# Reports

def fmt(x, digits=0):
    if x is None:
        return "-"
    return "{:,.{d}f}".format(x, d=digits)


def ratio(x):
    return ("%.1f×" if x >= 1 else "%.2f×") % x


def per_page_cpu(r):
    return (r["user"] + r["sys"]) / max(1, r["pages"])


def rate(r):
    return r["pages"] / r["wall"] if r["wall"] > 0 else 0


def report_compare(bench, label, title, rows, conditions):
    base = next((r for r in rows if r["tool"] == "crawler"), None)
    hdr = ("| tool | pages | requests | wall s | pages/s | CPU s / 1,000 pages | peak RSS MB "
           "| crawler pages/s × | crawler CPU/page ÷ | steal % | notes |\n"
           "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |\n")
    lines = []
    for r in rows:
        speed = cpu = "-"
        if base and r is not base and rate(r) > 0 and base["pages"] > 0:
            speed = ratio(rate(base) / rate(r))
            cpu = ratio(per_page_cpu(r) / max(1e-9, per_page_cpu(base)))
        lines.append("| %s | %s | %s | %s | %s | %s | %s | %s | %s | %.1f | %s |\n" % (
            r["tool"], fmt(r["pages"]), fmt(r["requests"]), fmt(r["wall"], 2), fmt(rate(r)),
            fmt(1000 * per_page_cpu(r), 2), fmt(r["rss_kib"] / 1024, 1), speed, cpu,
            100 * r["steal"], r["notes"]))
    text_row = next((r for r in rows if r["tool"] == "crawler-text"), None)
    scrapy = next((r for r in rows if r["tool"] == "scrapy"), None)
    extra = ""
    if text_row and scrapy and rate(scrapy) > 0 and text_row["pages"] > 0:
        extra = ("\ncrawler with page text (output.text true) against Scrapy: %.1f× the pages/s, "
                 "%.1f× less CPU per page.\n" % (rate(text_row) / rate(scrapy),
                                                 per_page_cpu(scrapy) / per_page_cpu(text_row)))
    legend = ("\npages: distinct HTML pages answered 200 in nginx's access log (the site has %d); "
              "requests: all requests, 404s and other statuses included. CPU: user+sys of the "
              "tool's processes. \"crawler pages/s ×\": the crawler's pages/s over the tool's; "
              "\"crawler CPU/page ÷\": the tool's CPU per page over the crawler's (above 1: the "
              "crawler uses less).\n" % (rows[0]["expected"] if rows else 0))
    md = ("## %s\n\n%s; %d connections, no politeness delay, robots off; peers save pages to "
          "tmpfs. %s\n\n%s%s%s%s" % (title, conditions, bench.a.concurrency, machine_line(rows),
                                     hdr, "".join(lines), legend, extra))
    chart = make_chart(bench, label, title, rows)
    if chart:
        md += "\n![%s](%s)\n" % (title, os.path.basename(chart))
    return md, {"mode": label, "conditions": conditions, "rows": rows}


def report_scale(bench, res):
    rss_at = ", ".join("%s pages: %s MB" % (fmt(k), fmt(v / 1024, 1) if v else "-")
                       for k, v in res["rss_at"].items())
    md = ("## Scale\n\nOne template page served by nginx for every /t/... path (fan-out %d, "
          "links derived from the request path by sub_filter), crawled to max_pages %s without "
          "page text (links only), state %s. %s\n\n"
          "| pages | wall s | pages/s | CPU s / 1,000 pages | peak RSS MB | RSS at | results MB "
          "| steal %% |\n| ---: | ---: | ---: | ---: | ---: | --- | ---: | ---: |\n"
          "| %s | %s | %s | %s | %s | %s | %s | %.1f |\n\nRSS every second: scale-rss.csv. "
          "Frontier: %s. Exit code %d.\n"
          % (res["fanout"], fmt(res["expected"]),
             "on tmpfs (frontier spills to SQLite)" if res["state"] == "tmpfs" else "off (frontier in RAM)",
             machine_line([res]), fmt(res["pages"]), fmt(res["wall"], 1), fmt(rate(res)),
             fmt(1000 * per_page_cpu(res), 2), fmt(res["rss_kib"] / 1024, 1), rss_at,
             fmt(res["output_bytes"] / 1e6, 1), 100 * res["steal"],
             json.dumps(res["frontier"]), res["exit"]))
    return md, {"mode": "scale", **{k: v for k, v in res.items()}}


def machine_line(rows):
    worst = max((r["steal"] for r in rows), default=0)
    with open("/proc/cpuinfo") as f:
        model = next((l.split(":", 1)[1].strip() for l in f if l.startswith("model name")), "?")
    return "Machine: %s, %d CPUs, load %.2f at start of run, highest steal in a run %.1f%%." % (
        model, os.cpu_count(), max((r.get("load", loadavg()) for r in rows), default=0),
        100 * worst)


def make_chart(bench, label, title, rows):
    if not shutil.which("gnuplot"):
        log("gnuplot missing: no chart")
        return None
    data = os.path.join(bench.work, label + "-chart.dat")
    with open(data, "w") as f:
        for r in rows:
            f.write('"%s" %f %f\n' % (r["tool"], max(rate(r), 0.001), 1000 * per_page_cpu(r)))
    png = os.path.join(bench.out, "%s.png" % label)
    script = """
set terminal pngcairo size 1100,450 font ",10"
set output '%s'
set multiplot layout 1,2 title '%s (%d connections)'
set style fill solid 0.8
set boxwidth 0.6
set grid ytics
set logscale y
set xtics rotate by -30
set title 'pages per second (higher is better, log scale)'
plot '%s' using 0:2:xtic(1) with boxes lc rgb '#2b7bba' notitle, \\
     '' using 0:2:(sprintf('%%.0f', $2)) with labels offset 0,0.7 notitle
set title 'CPU ms per page (lower is better, log scale)'
plot '%s' using 0:3:xtic(1) with boxes lc rgb '#d95f02' notitle, \\
     '' using 0:3:(sprintf('%%.2f', $3)) with labels offset 0,0.7 notitle
unset multiplot
""" % (png, title, bench.a.concurrency, data, data)
    res = subprocess.run(["gnuplot"], input=script, text=True, capture_output=True)
    if res.returncode != 0:
        log("gnuplot failed: " + res.stderr.strip())
        return None
    return png


# ---------------------------------------------------------------------------------------------

def main():
    ap = argparse.ArgumentParser(prog="scripts/bench.sh", description=__doc__.split("\n\n")[1],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--pages", type=int, default=20000, help="pages of the generated site")
    ap.add_argument("--concurrency", type=int, default=16, help="connections of every tool")
    ap.add_argument("--tools", default=",".join(ALL_TOOLS),
                    help="comma-separated, from: " + ", ".join(ALL_TOOLS))
    ap.add_argument("--site", action="store_true",
                    help="the generated-site comparison (the default when no mode is given)")
    ap.add_argument("--pydocs", action="store_true", help="compare on the Python 3.11 docs")
    ap.add_argument("--warc", action="store_true",
                    help="archiving: tools " + ",".join(WARC_TOOLS) + " (unless --tools is given)")
    ap.add_argument("--scale", action="store_true", help="the crawler alone on a huge tree")
    ap.add_argument("--scale-pages", type=int, default=1000000)
    ap.add_argument("--scale-fanout", type=int, default=5, help="children of each tree page")
    ap.add_argument("--scale-state", choices=["tmpfs", "none"], default="tmpfs",
                    help="state dir on tmpfs (frontier spills to SQLite) or none (all in RAM)")
    ap.add_argument("--out", default=os.path.join(ROOT, "bench-out"))
    ap.add_argument("--seed", type=int, default=1, help="seed of the generated site")
    ap.add_argument("--runs", type=int, default=1,
                    help="runs of each tool, interleaved; the median by CPU per page is reported")
    ap.add_argument("--repeats", type=int, default=3, help="runs at most, when steal disturbs")
    ap.add_argument("--steal-threshold", type=float, default=0.05,
                    help="steal share of a run's CPU time above which it is repeated")
    ap.add_argument("--timeout", type=int, default=3600, help="seconds one run may take")
    ap.add_argument("--tmpfs", default="/dev/shm", help="where sites and peers' output go")
    ap.add_argument("--crawler", default=os.path.join(ROOT, "build-release", "app", "crawler"))
    ap.add_argument("--node-dir", default=os.path.join(ROOT, "build-bench", "node"))
    ap.add_argument("--keep", action="store_true", help="keep the tmpfs work folder")
    ap.add_argument("--no-access-logs", dest="save_access_logs", action="store_false",
                    help="do not keep each run's nginx access-log lines in logs/")
    a = ap.parse_args()
    if a.warc and "--tools" not in " ".join(sys.argv):
        a.tools = ",".join(WARC_TOOLS)
    a.tools = [t for t in a.tools.split(",") if t]
    for t in a.tools:
        if t not in KNOWN_TOOLS:
            ap.error("--tools: unknown tool %r (known: %s)" % (t, ", ".join(KNOWN_TOOLS)))
    if a.pages < 1 or a.concurrency < 1 or a.scale_pages < 1 or a.scale_fanout < 2 or a.runs < 1:
        ap.error("--pages, --concurrency, --scale-pages and --runs must be >= 1, "
                 "--scale-fanout >= 2")
    if not os.access(a.crawler, os.X_OK):
        ap.error("--crawler: %s is not an executable (build it: cmake --build build-release)"
                 % a.crawler)
    modes = [m for m in ("site", "pydocs", "scale") if getattr(a, m)] or ["site"]

    # SIGTERM unwinds like Ctrl-C: the running tool is killed, nginx stopped, tmpfs cleaned.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    if loadavg() > 0.5:
        log("the machine is busy (load %.2f): wall times and pages/s will be disturbed; "
            "CPU per page much less so" % loadavg())
    bench = Bench(a)
    sections, data = [], []
    try:
        for mode in modes:
            md, d = getattr(bench, mode)()
            sections.append(md)
            data.append(d)
    finally:
        bench.close()
    header = "# crawler benchmark\n\n%s, %s; %s; %s.\n\n" % (
        time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), platform.platform(),
        (subprocess.run([a.crawler, "--version"], capture_output=True, text=True).stdout.strip()
         .splitlines() or ["?"])[0],
        "; ".join(versions(a)))
    md = header + "\n".join(sections)
    with open(os.path.join(bench.out, "results.md"), "w") as f:
        f.write(md)
    with open(os.path.join(bench.out, "results.json"), "w") as f:
        json.dump(data, f, indent=1)
    print(md)
    log("results in %s (results.md, results.json, charts, logs/)" % bench.out)


def versions(a):
    def first(cmd):
        try:
            r = subprocess.run(cmd, capture_output=True, text=True, timeout=20)
            return (r.stdout or r.stderr).strip().splitlines()[0]
        except (OSError, IndexError, subprocess.TimeoutExpired):
            return "?"
    v = ["nginx " + first(["nginx", "-v"]).split("/")[-1]]
    if "wget" in a.tools:
        v.append(first(["wget", "--version"]).split(" built")[0])
    if "wget2" in a.tools:
        v.append(first(["wget2", "--version"]).split(" - ")[0])
    if "httrack" in a.tools:
        v.append(first(["httrack", "--version"]).split("+")[0])
    if "scrapy" in a.tools:
        v.append("Scrapy " + first(["/usr/bin/python3", "-c", "import scrapy;print(scrapy.__version__)"]))
    if "crawlee" in a.tools:
        try:
            with open(os.path.join(a.node_dir, "node_modules", "@crawlee", "cheerio",
                                   "package.json")) as f:
                v.append("Crawlee " + json.load(f)["version"] + ", node " + first(["node", "--version"]))
        except OSError:
            v.append("Crawlee ?")
    return v


if __name__ == "__main__":
    main()
