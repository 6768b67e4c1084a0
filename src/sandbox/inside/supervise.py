# Runs inside the sandbox. argv[1] is a JSON request; see sandbox/sandbox.ts.
import json, os, select, signal, subprocess, sys, threading, time

req = json.loads(sys.argv[1])
cap = req["outputCap"]
head_cap, tail_cap = cap // 4, cap - cap // 4
result = {"exitCode": None, "timedOut": False, "killed": False, "outputBytes": 0,
          "outputTruncated": False, "reports": {}, "missingModules": []}


def sweep():
    # Everything this user runs except PID 1 (our init) and this process: daemons,
    # fork-bomb survivors that left the process group.
    try:
        os.kill(-1, signal.SIGKILL)
    except OSError:
        pass


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


if req.get("requires"):
    import importlib.util
    result["missingModules"] = [m for m in req["requires"] if importlib.util.find_spec(m) is None]

output = b""
if not result["missingModules"]:
    for report in req.get("reports", []):
        try:
            os.unlink(report)
        except OSError:
            pass
    ooms_before = oom_kills()
    started = time.monotonic()
    head, tail, total = bytearray(), bytearray(), 0
    # Classroom-style checks compare stdout alone; the combined output stays for the details.
    split = bool(req.get("stdout"))
    stdout_only, stdout_total = bytearray(), 0
    feed = req.get("input")
    try:
        proc = subprocess.Popen(["/bin/sh", "-c", req["run"]], cwd=req["cwd"],
                                stdin=subprocess.DEVNULL if feed is None else subprocess.PIPE,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE if split else subprocess.STDOUT,
                                start_new_session=True)
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
        fds = [proc.stdout.fileno()] + ([proc.stderr.fileno()] if split else [])
        deadline = started + req["timeoutSeconds"]
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
                if split and fd == proc.stdout.fileno():
                    stdout_total += len(chunk)
                    if len(stdout_only) < cap:
                        stdout_only += chunk[: cap - len(stdout_only)]
                total += len(chunk)
                if len(head) < head_cap:
                    take = head_cap - len(head)
                    head += chunk[:take]
                    chunk = chunk[take:]
                if chunk:
                    tail += chunk
                    if len(tail) > tail_cap:
                        del tail[: len(tail) - tail_cap]
        if result["timedOut"]:
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except OSError:
                pass
        try:
            code = proc.wait(timeout=max(1.0, deadline - time.monotonic()) if not result["timedOut"] else 5)
        except subprocess.TimeoutExpired:
            # Output closed but the process lives on (it closed stdout): the limit still applies.
            result["timedOut"] = True
            os.killpg(proc.pid, signal.SIGKILL)
            code = proc.wait()
        if not result["timedOut"]:
            result["exitCode"] = code if code >= 0 else 128 - code
            ooms_after = oom_kills()
            # A shell reports its killed child as 137; the cgroup's counter says it was memory.
            oom = ooms_before is not None and ooms_after is not None and ooms_after > ooms_before
            result["killed"] = oom or code == -signal.SIGKILL
        result["durationMs"] = int((time.monotonic() - started) * 1000)
        result["outputBytes"] = total
        result["outputTruncated"] = total > len(head) + len(tail)
        if result["outputTruncated"]:
            output = bytes(head) + b"\n\n[... %d bytes cut ...]\n\n" % (total - len(head) - len(tail)) + bytes(tail)
        else:
            output = bytes(head) + bytes(tail)
    else:
        output = bytes(head)
    sweep()
    for report in req.get("reports", []):
        try:
            with open(report, "rb") as f:
                data = f.read(req["reportCap"] + 1)
            result["reports"][report] = None if len(data) > req["reportCap"] else data.decode("utf-8", "replace")
        except OSError:
            result["reports"][report] = None
result["output"] = output.decode("utf-8", "replace")
if req.get("stdout"):
    result["stdout"] = bytes(stdout_only).decode("utf-8", "replace") if not result["missingModules"] else ""
    result["stdoutTruncated"] = (stdout_total > len(stdout_only)) if not result["missingModules"] else False
sys.stdout.write(json.dumps(result))
