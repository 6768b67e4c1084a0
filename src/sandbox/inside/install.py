# Runs inside the install step's container as root (run with `python3 -I`). argv[1] is a JSON
# request; see sandbox/install.ts. It hands the dependency folders to uid 1000, drops to
# that uid for good, and installs the student's declared requirements with pip from the
# course's index only (wheels only: no package's build code runs), into a size-limited
# tmpfs; what the course image already provides is kept from the image. The result is
# one JSON object on stdout.
import importlib.metadata, importlib.util, json, os, re, shutil, signal, subprocess, sys, time, urllib.error, urllib.parse, urllib.request

req = json.loads(sys.argv[1])
UID, GID = req["uid"], req["gid"]
TARGET, OUT, CACHE = req["target"], req["out"], req["cache"]
started = time.monotonic()


def answer(result):
    result["durationMs"] = int((time.monotonic() - started) * 1000)
    sys.stdout.write(json.dumps(result))
    sys.stdout.flush()
    sys.exit(0)


def tree_bytes(path):
    total = 0
    for root, _dirs, files in os.walk(path):
        for name in files:
            try:
                total += os.lstat(os.path.join(root, name)).st_size
            except OSError:
                pass
    return total


def trim_cache(limit):
    """Past its limit the wheel cache loses its least recently used files, down to three quarters."""
    entries = []
    for root, _dirs, files in os.walk(CACHE):
        for name in files:
            p = os.path.join(root, name)
            try:
                st = os.lstat(p)
            except OSError:
                continue
            entries.append((max(st.st_atime, st.st_mtime), st.st_size, p))
    total = sum(e[1] for e in entries)
    if total <= limit:
        return 0
    removed = 0
    for _t, size, p in sorted(entries):
        if total <= limit * 3 // 4:
            break
        try:
            os.unlink(p)
            total -= size
            removed += size
        except OSError:
            pass
    return removed


# The folders are fresh volumes (root's); once theirs, uid 1000 needs nothing of root's.
for d in (OUT, CACHE):
    os.chown(d, UID, GID)
os.setgroups([])
os.setgid(GID)
os.setuid(UID)
trimmed = trim_cache(req["cacheMaxBytes"])

# The index answers (any status below 500) or the failure is ours: checked before pip, whose
# "no matching distribution" reads the same for an index that is down and a missing package.
# Three tries a second apart: the forwarder may still be starting.
no_proxy = urllib.request.build_opener(urllib.request.ProxyHandler({}))
for attempt in range(3):
    try:
        with no_proxy.open(urllib.request.Request(req["index"], method="GET"), timeout=15) as r:
            status = r.status
        break
    except urllib.error.HTTPError as e:
        status = e.code
        break
    except Exception as e:  # noqa: BLE001 - every way of not answering is the same to us
        if attempt == 2:
            answer({"status": "index-unreachable", "detail": f"{type(e).__name__}: {e}"[:500]})
        time.sleep(1)
if status >= 500:
    answer({"status": "index-unreachable", "detail": f"HTTP {status}"})


def normalized(name):
    return re.sub(r"[-_.]+", "-", name).lower()


# The image's own distributions: never replaced, and pinned so what pip adds fits them.
provided = {}
for dist in importlib.metadata.distributions():
    name = dist.metadata["Name"]
    if name and dist.version:
        provided[normalized(name)] = dist.version
requested = [r for r in req["requirements"] if normalized(r["name"]) not in provided]
kept = sorted(r["name"] for r in req["requirements"] if normalized(r["name"]) in provided)
if not requested:
    answer({"status": "installed", "packages": [], "keptFromImage": kept, "bytes": 0, "trimmedCacheBytes": trimmed})
constraints = os.path.join("/tmp", "image-constraints.txt")
with open(constraints, "w") as f:
    for name, version in sorted(provided.items()):
        if re.fullmatch(r"\d+(\.\d+)*((a|b|rc)\d+)?(\.post\d+)?", version):
            f.write(f"{name}=={version}\n")

env = {"PATH": "/usr/local/bin:/usr/bin:/bin", "LANG": "C.UTF-8", "HOME": "/tmp/home", "TMPDIR": "/tmp",
       "PIP_CONFIG_FILE": os.devnull, "PIP_BREAK_SYSTEM_PACKAGES": "1", "PYTHONDONTWRITEBYTECODE": "1"}
argv = [sys.executable, "-I", "-m", "pip", "install", "--target", TARGET, "--only-binary", ":all:",
        "--index-url", req["index"], "--cache-dir", CACHE, "--constraint", constraints, "--no-input",
        "--disable-pip-version-check", "--progress-bar", "off", "--no-warn-script-location",
        "--retries", "2", "--timeout", "15", "--no-compile"]
# An http index is the course's choice (pip refuses one otherwise); an https one is verified.
if urllib.parse.urlsplit(req["index"]).scheme == "http":
    argv += ["--trusted-host", urllib.parse.urlsplit(req["index"]).netloc]
argv += ["--"] + [r["requirement"] for r in requested]
proc = subprocess.Popen(argv, env=env, cwd="/tmp", stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                        stderr=subprocess.STDOUT, start_new_session=True)
timed_out = False
try:
    output, _ = proc.communicate(timeout=req["timeoutSeconds"])
except subprocess.TimeoutExpired:
    timed_out = True
    os.killpg(proc.pid, signal.SIGKILL)
    output, _ = proc.communicate()
text = output.decode("utf-8", "replace")
cap = req["outputCap"]
log = text[-cap:]


def tail():
    """pip's own reason: from its first ERROR line on (else its last lines), at most tailChars."""
    lines = text.rstrip().splitlines()
    first = next((i for i, l in enumerate(lines) if l.startswith("ERROR:")), max(0, len(lines) - 12))
    return "\n".join(lines[first:])[-req["tailChars"]:]


NETWORK = re.compile(r"NewConnectionError|ConnectTimeoutError|ReadTimeoutError|Connection refused|"
                     r"connection broken|RemoteDisconnected|Temporary failure in name resolution|"
                     r"HTTP error 5\d\d|Max retries exceeded")
if timed_out:
    # A slow index shows as retries; anything else is the requirements' own size.
    answer({"status": "index-unreachable" if NETWORK.search(text) else "timeout", "tail": tail(), "log": log})
if proc.returncode != 0:
    if re.search(r"No space left on device|Errno 28|File too large|Errno 27", text):
        answer({"status": "too-large", "tail": tail(), "log": log})
    if NETWORK.search(text):
        answer({"status": "index-unreachable", "tail": tail(), "log": log})
    answer({"status": "failed", "tail": tail(), "log": log})

# Top-level names the image already has stay the image's (pytest and coverage are the
# grader's); startup hooks are never installed.
shadowing = []
for entry in sorted(os.listdir(TARGET)):
    path = os.path.join(TARGET, entry)
    if entry.endswith((".dist-info", ".data")) or entry in ("bin", "__pycache__"):
        continue
    module = entry.split(".", 1)[0]
    if module in ("sitecustomize", "usercustomize") or (module.isidentifier() and importlib.util.find_spec(module) is not None):
        shadowing.append(entry)
        shutil.rmtree(path) if os.path.isdir(path) and not os.path.islink(path) else os.unlink(path)
packages = []
for entry in sorted(os.listdir(TARGET)):
    m = re.fullmatch(r"(.+)-([^-]+)\.dist-info", entry)
    if m:
        packages.append({"name": m.group(1), "version": m.group(2)})
size = tree_bytes(TARGET)
shutil.copytree(TARGET, OUT, symlinks=True, dirs_exist_ok=True)
answer({"status": "installed", "packages": packages, "keptFromImage": kept, "removedShadowing": shadowing,
        "bytes": size, "usedCache": "Using cached" in text, "trimmedCacheBytes": trimmed, "log": log})
