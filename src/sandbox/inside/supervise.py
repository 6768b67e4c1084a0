# Runs inside the sandbox as root (run with `python3 -I`). argv[1] is a JSON request; see
# sandbox/sandbox.ts. The student's command runs as uid 1000, which can neither signal nor
# ptrace this process; everything the grader learns comes back on this process's stdout.
import json, os, resource, select, signal, stat, subprocess, sys, threading, time

req = json.loads(sys.argv[1])
UID, GID = req["uid"], req["gid"]
cap = req["outputCap"]
head_cap, tail_cap = cap // 4, cap - cap // 4
result = {"exitCode": None, "timedOut": False, "killed": False, "outputBytes": 0,
          "outputTruncated": False, "reports": {}, "missingModules": []}

# No core files from anything started here, and no way to raise the limit back.
resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def student_pids():
    pids = []
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/status") as f:
                fields = dict(line.rstrip("\n").split(":\t", 1) for line in f if ":\t" in line)
        except (OSError, ValueError):
            continue
        if fields.get("State", "").startswith(("Z", "X")):
            continue
        if any(int(u) == UID for u in fields.get("Uid", "").split()):
            pids.append(int(name))
    return pids


def sweep():
    """Kills every process of the student's uid (daemons, fork-bomb survivors) and waits until none is left."""
    for _ in range(200):
        try:
            # kill(-1) from the student's own uid reaches all of its processes at once, even forking ones.
            pid = os.fork()
            if pid == 0:
                try:
                    os.setgroups([])
                    os.setgid(GID)
                    os.setuid(UID)
                    os.kill(-1, signal.SIGKILL)
                finally:
                    os._exit(0)
            os.waitpid(pid, 0)
        except OSError:
            pass  # no free pid (a fork bomb): the scan below kills one by one
        left = student_pids()
        if not left:
            return True
        for p in left:
            try:
                os.kill(p, signal.SIGKILL)
            except OSError:
                pass
        time.sleep(0.02)
    return not student_pids()


def oom_kills():
    # The container's cgroup counts processes the kernel killed for memory (v2, then v1).
    for path in ("/sys/fs/cgroup/memory.events", "/sys/fs/cgroup/memory/memory.oom_control"):
        try:
            with open(path) as f:
                for line in f:
                    key, _, value = line.partition(" ")
                    if key == "oom_kill":
                        return int(value)
        except (OSError, ValueError):
            continue
    return None


def open_regular(path):
    """A read-only fd of `path` if it is a regular file reached without any symlink; None otherwise. Never blocks."""
    parts = [p for p in path.split("/") if p]
    flags = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_NOCTTY | os.O_CLOEXEC
    fd = os.open("/", os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    try:
        for i, part in enumerate(parts):
            last = i == len(parts) - 1
            nxt = os.open(part, flags | (0 if last else os.O_DIRECTORY), dir_fd=fd)
            os.close(fd)
            fd = nxt
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise OSError("not a regular file")
        return fd
    except OSError:
        os.close(fd)
        return None


def read_capped(fd, limit):
    chunks, n = [], 0
    while n <= limit:
        chunk = os.read(fd, min(1 << 16, limit + 1 - n))
        if not chunk:
            break
        chunks.append(chunk)
        n += len(chunk)
    return b"".join(chunks)


def remove(path):
    # Whatever the student left at a report path (a file, a link, a FIFO, a folder) goes;
    # through a linked parent folder nothing is touched (this process is root).
    parent = os.path.dirname(path)
    if os.path.realpath(parent) != parent:
        return
    try:
        if stat.S_ISDIR(os.lstat(path).st_mode):
            import shutil
            shutil.rmtree(path, ignore_errors=True)
        else:
            os.unlink(path)
    except OSError:
        pass


def fresh_dir(path, mode, owner):
    remove(path)
    os.makedirs(path, mode=mode, exist_ok=True)
    os.chown(path, owner, owner)
    os.chmod(path, mode)


def drain(proc, deadline, limit):
    """Reads a pipe until EOF or the deadline, keeping the first `limit` bytes; returns (data, total, timed_out)."""
    fd = proc.stdout.fileno()
    data, total = bytearray(), 0
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            return bytes(data), total, True
        ready, _, _ = select.select([fd], [], [], min(left, 1.0))
        if not ready:
            continue
        chunk = os.read(fd, 1 << 16)
        if not chunk:
            return bytes(data), total, False
        total += len(chunk)
        if len(data) < limit:
            data += chunk[: limit - len(data)]


COVERAGE = req.get("coverage")
if COVERAGE:
    # The grader's own coverage configuration: the student's .coveragerc, setup.cfg or
    # pyproject cannot omit files or exclude lines from it.
    os.makedirs(COVERAGE["dir"], mode=0o755, exist_ok=True)
    os.chmod(COVERAGE["dir"], 0o755)
    rc = os.path.join(COVERAGE["dir"], "coveragerc")
    with open(rc, "w") as f:
        f.write("[run]\ndata_file = %s/.coverage\nbranch = False\nsource =\n%s\n"
                "[report]\n# No line is excluded, `# pragma: no cover` included.\nexclude_lines =\n    (?!x)x\n"
                % (COVERAGE["dataDir"], "".join(f"    {s}\n" for s in COVERAGE["source"])))
    os.chmod(rc, 0o644)
    fresh_dir(COVERAGE["dataDir"], 0o700, UID)


def start(argv, env, cwd, stdout, stdin=subprocess.DEVNULL, stderr=subprocess.STDOUT):
    return subprocess.Popen(argv, cwd=cwd, env=env, stdin=stdin, stdout=stdout,
                            stderr=stderr, start_new_session=True, close_fds=True,
                            user=UID, group=GID, extra_groups=[])


def prefer_for_oom(pid):
    # Under memory pressure the kernel kills the student's processes first, not this one.
    try:
        with open(f"/proc/{pid}/oom_score_adj", "w") as f:
            f.write("1000")
    except OSError:
        pass


HTTP = req.get("http")


def http_exchange(port, spec, timeout, body_cap):
    """One request from this root process to the student's service on loopback; its status, headers and capped body."""
    import http.client, socket
    out = {}
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        body = spec.get("body")
        conn.request(spec["method"], spec["path"], body=None if body is None else body.encode(),
                     headers=dict(spec.get("headers") or {}))
        resp = conn.getresponse()
        out["status"] = resp.status
        out["headers"] = [[k[:200], v[:2000]] for k, v in resp.getheaders()[:100]]
        data = resp.read(body_cap + 1)
        out["body"] = data[:body_cap].decode("utf-8", "replace")
        out["bodyTruncated"] = len(data) > body_cap
    except socket.timeout:
        out = {"error": "timeout"}
    except ConnectionRefusedError:
        out = {"error": "refused"}
    except (ConnectionResetError, BrokenPipeError, http.client.RemoteDisconnected):
        out = {"error": "reset"}
    except (http.client.HTTPException, ValueError, OSError):
        out = {"error": "protocol"}
    finally:
        conn.close()
    return out


def bounded_exchange(port, spec, timeout, body_cap):
    """An exchange that cannot outlast `timeout` however slowly the service answers (a thread, given up on)."""
    box = {}
    started = time.monotonic()
    worker = threading.Thread(target=lambda: box.update(http_exchange(port, spec, timeout, body_cap)), daemon=True)
    worker.start()
    worker.join(timeout + 0.5)
    out = dict(box) if not worker.is_alive() and box else {"error": "timeout"}
    out["ms"] = int((time.monotonic() - started) * 1000)
    return out


def probe_service(proc, deadline):
    """Waits until the service answers its ready path, then sends the requests; all from this process."""
    port = HTTP["port"]
    info = {"ready": False, "responses": []}
    start = time.monotonic()
    ready_until = min(deadline, start + HTTP["readySeconds"])
    while time.monotonic() < ready_until:
        left = ready_until - time.monotonic()
        answer = bounded_exchange(port, {"method": "GET", "path": HTTP["readyPath"]}, max(0.2, min(2.0, left)), 4096)
        if "status" in answer:
            info["ready"] = True
            info["readyMs"] = int((time.monotonic() - start) * 1000)
            break
        # The command may have daemonised its server: it is gone only when none of its processes is left.
        if proc.poll() is not None and not student_pids():
            info["exited"] = proc.returncode if proc.returncode >= 0 else 128 - proc.returncode
            break
        time.sleep(0.2)
    if info["ready"]:
        for spec in HTTP["requests"]:
            left = deadline - time.monotonic()
            if left <= 0.5:
                info["responses"].append({"error": "timeout", "ms": 0})
                continue
            info["responses"].append(bounded_exchange(port, spec, min(HTTP["requestSeconds"], left), HTTP["bodyCap"]))
    # Ended by itself only if nothing of it is left (a daemonised server's first process exits at once).
    if "exited" not in info and proc.poll() is not None and not student_pids():
        info["exited"] = proc.returncode if proc.returncode >= 0 else 128 - proc.returncode
    return info


if req.get("requires"):
    import importlib.machinery, importlib.util
    # The install phase's packages (on the student's PYTHONPATH, not on this -I helper's) count too: located, never imported.
    extra = req.get("modulePaths") or []

    def missing(m):
        if importlib.util.find_spec(m) is not None:
            return False
        return not extra or "." in m or importlib.machinery.PathFinder.find_spec(m, extra) is None

    result["missingModules"] = [m for m in req["requires"] if missing(m)]

def keep(chunk):
    """Keeps the output's first head_cap and last tail_cap bytes, counting all of it."""
    global total
    total += len(chunk)
    if len(head) < head_cap:
        take = head_cap - len(head)
        head.extend(chunk[:take])
        chunk = chunk[take:]
    if chunk:
        tail.extend(chunk)
        if len(tail) > tail_cap:
            del tail[: len(tail) - tail_cap]


output = b""
if not result["missingModules"]:
    for report in req.get("reports", []):
        remove(report)
    env = dict(e.split("=", 1) for e in req["env"])
    if COVERAGE:
        env["COVERAGE_RCFILE"] = rc
    ooms_before = oom_kills()
    started = time.monotonic()
    head, tail, total = bytearray(), bytearray(), 0
    # Classroom-style checks compare stdout alone; the combined output stays for the details.
    split = bool(req.get("stdout"))
    stdout_only, stdout_total = bytearray(), 0
    feed = req.get("input")
    # From here on a failure of this process is the student's doing (the host reads this line).
    os.write(2, b"rubrica-supervisor: started\n")
    try:
        proc = start(["/bin/sh", "-c", req["run"]], env, req["cwd"], subprocess.PIPE,
                     stdin=subprocess.DEVNULL if feed is None else subprocess.PIPE,
                     stderr=subprocess.PIPE if split else subprocess.STDOUT)
        prefer_for_oom(proc.pid)
    except OSError as e:
        head += f"could not start the command: {e}".encode()
        proc = None
    if proc is not None:
        if feed is not None:
            # A thread, so a program that never reads its input cannot block the supervisor.
            def write_input():
                try:
                    proc.stdin.write(feed.encode())
                except OSError:
                    pass
                finally:
                    try:
                        proc.stdin.close()
                    except OSError:
                        pass
            threading.Thread(target=write_input, daemon=True).start()
        out_fd = proc.stdout.fileno()
        fds = [out_fd] + ([proc.stderr.fileno()] if split else [])
        deadline = started + req["timeoutSeconds"]
        if HTTP:
            # The service's log is drained by a thread (a full pipe would stall it) while this
            # process, root and isolated, makes the requests; then everything of the student's ends.
            def keep_log():
                while True:
                    try:
                        chunk = os.read(out_fd, 1 << 16)
                    except OSError:
                        return
                    if not chunk:
                        return
                    keep(chunk)
            reader = threading.Thread(target=keep_log, daemon=True)
            reader.start()
            result["http"] = probe_service(proc, deadline)
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except OSError:
                pass
            sweep()
            proc.wait()
            reader.join(2)
            fds = []
        while fds:
            left = deadline - time.monotonic()
            if left <= 0:
                result["timedOut"] = True
                break
            ready, _, _ = select.select(fds, [], [], min(left, 1.0))
            for fd in ready:
                chunk = os.read(fd, 1 << 16)
                if not chunk:
                    fds.remove(fd)
                    continue
                if split and fd == out_fd:
                    stdout_total += len(chunk)
                    if len(stdout_only) < cap:
                        stdout_only += chunk[: cap - len(stdout_only)]
                keep(chunk)
        if result["timedOut"]:
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except OSError:
                pass
        try:
            code = proc.wait(timeout=max(1.0, deadline - time.monotonic()) if not result["timedOut"] else 5)
            if HTTP:
                # The service was stopped by the grader: its exit code is the one it had before, if any.
                code = result["http"].get("exited")
        except subprocess.TimeoutExpired:
            # Output closed but the process lives on (it closed stdout): the limit still applies.
            result["timedOut"] = True
            os.killpg(proc.pid, signal.SIGKILL)
            code = proc.wait()
        if not result["timedOut"]:
            result["exitCode"] = None if code is None else code if code >= 0 else 128 - code
            ooms_after = oom_kills()
            # A shell reports its killed child as 137; the cgroup's counter says whether it was memory.
            if ooms_before is not None and ooms_after is not None:
                result["killed"] = ooms_after > ooms_before
            else:
                result["killed"] = code == -signal.SIGKILL
        result["durationMs"] = int((time.monotonic() - started) * 1000)
        result["outputBytes"] = total
        result["outputTruncated"] = total > len(head) + len(tail)
        if result["outputTruncated"]:
            output = bytes(head) + b"\n\n[... %d bytes cut ...]\n\n" % (total - len(head) - len(tail)) + bytes(tail)
        else:
            output = bytes(head) + bytes(tail)
    else:
        output = bytes(head)
    # Nothing of the student's runs while the grader reads what the command left.
    alone = sweep()
    for report in req.get("reports", []):
        fd = open_regular(report)
        if fd is None:
            result["reports"][report] = None
            continue
        try:
            data = read_capped(fd, req["reportCap"])
        except OSError:
            data = b"\0" * (req["reportCap"] + 1)
        finally:
            os.close(fd)
        result["reports"][report] = None if len(data) > req["reportCap"] else data.decode("utf-8", "replace")
    if COVERAGE:
        if not alone:
            result["coverage"] = {"error": "processes of the command survived every attempt to end them"}
        else:
            # The report is made by a fresh, isolated interpreter with nothing of the student's running.
            helper = start(["python3", "-I", "-c", COVERAGE["helper"],
                            json.dumps({"rc": rc, "source": COVERAGE["source"], "repo": req["cwd"]})],
                           {"PATH": env.get("PATH", "/usr/bin:/bin"), "LANG": "C.UTF-8"}, req["cwd"], subprocess.PIPE)
            data, _, late = drain(helper, time.monotonic() + COVERAGE["timeoutSeconds"], 1 << 20)
            if late:
                helper.kill()
            helper.wait()
            sweep()
            try:
                result["coverage"] = json.loads(data.decode("utf-8", "replace"))
            except ValueError:
                result["coverage"] = {"error": "the coverage report could not be produced" + (" in time" if late else "")}
result["output"] = output.decode("utf-8", "replace")
if req.get("stdout"):
    result["stdout"] = bytes(stdout_only).decode("utf-8", "replace") if not result["missingModules"] else ""
    result["stdoutTruncated"] = (stdout_total > len(stdout_only)) if not result["missingModules"] else False
sys.stdout.write(json.dumps(result))
