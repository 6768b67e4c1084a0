# Runs inside the sandbox, started as root with `python3 -I`. argv[1] is a JSON request; see
# sandbox/sandbox.ts. It makes the folders, then drops to the student's uid for everything
# that touches the student's files (unpacking, git, reading), before any student code runs.
import ast, json, os, stat, subprocess, sys, tarfile

req = json.loads(sys.argv[1])
repo = req["repo"]
for folder in req.get("rootDirs", []):
    os.makedirs(folder, mode=0o755, exist_ok=True)
    os.chmod(folder, 0o755)
for folder in req.get("makeDirs", []):
    os.makedirs(folder, exist_ok=True)
    os.chown(folder, req["uid"], req["gid"])
if os.getuid() == 0:
    os.setgroups([])
    os.setgid(req["gid"])
    os.setuid(req["uid"])
GIT = ["git", "-c", "safe.directory=*", "-c", "core.fsmonitor=", "-c", "core.hooksPath=/dev/null",
       "-c", "core.quotePath=false"]


def git(args, timeout=20, data=None):
    try:
        p = subprocess.run(GIT + args, cwd=repo, input=data, capture_output=True, timeout=timeout)
        return p.returncode, p.stdout
    except (subprocess.TimeoutExpired, OSError):
        return -1, b""


def unpack():
    os.makedirs(repo, exist_ok=True)
    skipped = 0
    with tarfile.open(fileobj=sys.stdin.buffer, mode="r|") as tf:
        for member in tf:
            try:
                tf.extract(member, repo, set_attrs=member.isfile() or member.isdir())
            except (OSError, tarfile.TarError):
                skipped += 1
    return skipped


def inventory(limit):
    files, truncated = [], False
    stack = [""]
    while stack:
        rel = stack.pop()
        try:
            entries = sorted(os.scandir(os.path.join(repo, rel)), key=lambda e: e.name)
        except OSError:
            continue
        for e in entries:
            path = rel + e.name
            if path == ".git":
                continue
            if len(files) >= limit:
                truncated = True
                break
            try:
                st = e.stat(follow_symlinks=False)
            except OSError:
                continue
            if stat.S_ISLNK(st.st_mode):
                try:
                    target = os.readlink(e.path)
                except OSError:
                    target = ""
                files.append({"path": path, "type": "symlink", "size": 0, "target": target})
            elif stat.S_ISDIR(st.st_mode):
                files.append({"path": path, "type": "dir", "size": 0})
                stack.append(path + "/")
            elif stat.S_ISREG(st.st_mode):
                files.append({"path": path, "type": "file", "size": st.st_size})
            else:
                files.append({"path": path, "type": "other", "size": 0})
    files.sort(key=lambda f: f["path"])
    return files, truncated


def commits(limit):
    code, out = git(["log", "-n", str(limit), "--format=%H%x1f%P%x1f%an%x1f%aI%x1f%B%x1e"])
    if code != 0:
        return []
    result = []
    for record in out.decode("utf-8", "replace").split("\x1e"):
        record = record.strip("\n")
        if not record:
            continue
        parts = record.split("\x1f")
        if len(parts) < 5:
            continue
        sha, parents, author, date, message = parts[:5]
        result.append({"sha": sha, "parents": len(parents.split()), "author": author,
                       "date": date, "message": message.strip()})
    return result


def sniff(data):
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"
    if b"\x00" in data[:8192]:
        # UTF-16 without a byte order mark: every other byte of ASCII text is NUL.
        return "utf-16" if data[1:200:2].count(0) > 40 or data[0:200:2].count(0) > 40 else "binary"
    return "utf-8"


def read_text(path, max_bytes):
    full = os.path.join(repo, path)
    try:
        st = os.stat(full)  # follows a symlink, inside the container only
        if not stat.S_ISREG(st.st_mode):
            return None
        fd = os.open(full, os.O_RDONLY | os.O_NONBLOCK)
        with os.fdopen(fd, "rb") as f:
            data = f.read(max_bytes + 1)
    except OSError:
        return None
    truncated = len(data) > max_bytes
    data = data[:max_bytes]
    encoding = sniff(data)
    if encoding == "utf-16":
        text = data.decode("utf-16", "replace").lstrip("\ufeff")
    elif encoding == "binary":
        text = ""
    else:
        text = data.decode("utf-8", "replace").lstrip("\ufeff")
    return {"path": path, "text": text, "encoding": encoding, "truncated": truncated}


def check_ignore(paths):
    verdicts = {}
    if not paths:
        return verdicts
    data = b"".join(p.encode() + b"\0" for p in paths)
    code, out = git(["check-ignore", "--no-index", "-v", "-n", "-z", "--stdin"], data=data)
    if code not in (0, 1):
        return verdicts
    fields = out.split(b"\0")
    for i in range(0, len(fields) - 3, 4):
        source, line, pattern, path = (f.decode("utf-8", "replace") for f in fields[i:i + 4])
        ignored = bool(pattern) and not pattern.startswith("!")
        verdicts[path] = {"ignored": ignored, "rule": f"{source}:{line}:{pattern}" if pattern else None}
    return verdicts


UNBOUNDED = -1


def parametrize_factor(decorators):
    """How many cases pytest.mark.parametrize decorators make: literal lists only; UNBOUNDED otherwise."""
    factor = 1
    for d in decorators:
        if not (isinstance(d, ast.Call) and isinstance(d.func, ast.Attribute) and d.func.attr == "parametrize"):
            continue
        values = d.args[1] if len(d.args) > 1 else next((k.value for k in d.keywords if k.arg == "argvalues"), None)
        if isinstance(values, (ast.List, ast.Tuple, ast.Set)):
            factor *= len(values.elts)
        else:
            return UNBOUNDED
    return factor


def count_tests(path):
    """Test functions a file defines, as pytest's defaults find them (test* functions, Test* classes), read without running it."""
    full = os.path.join(repo, path)
    try:
        st = os.stat(full)
        if not stat.S_ISREG(st.st_mode) or st.st_size > (2 << 20):
            return None
        with open(full, "rb") as f:
            tree = ast.parse(f.read(), filename=path)
    except (OSError, SyntaxError, ValueError, RecursionError):
        return None
    classes = {n.name: n for n in tree.body if isinstance(n, ast.ClassDef)}

    def functions(body, outer):
        n = 0
        for node in body:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name.startswith("test"):
                f = parametrize_factor(node.decorator_list)
                if f == UNBOUNDED or outer == UNBOUNDED:
                    return UNBOUNDED
                n += f * outer
            elif isinstance(node, ast.ClassDef) and (node.name.startswith("Test") or is_testcase(node)):
                c = klass(node, outer, set())
                if c == UNBOUNDED:
                    return UNBOUNDED
                n += c
        return n

    def is_testcase(node):
        # unittest.TestCase subclasses are collected whatever their name.
        return any((isinstance(b, ast.Name) and b.id.endswith("TestCase")) or
                   (isinstance(b, ast.Attribute) and b.attr.endswith("TestCase")) for b in node.bases)

    def klass(node, outer, seen):
        if node.name in seen or not is_testcase(node) and any(isinstance(b, ast.FunctionDef) and b.name == "__init__" for b in node.body):
            return 0
        seen.add(node.name)
        f = parametrize_factor(node.decorator_list)
        if f == UNBOUNDED or outer == UNBOUNDED:
            return UNBOUNDED
        n = functions(node.body, outer * f)
        if n == UNBOUNDED:
            return UNBOUNDED
        # Tests inherited from a class of the same file are collected again.
        for base in node.bases:
            if isinstance(base, ast.Name) and base.id in classes:
                inherited = klass(classes[base.id], outer * f, seen)
                if inherited == UNBOUNDED:
                    return UNBOUNDED
                n += inherited
        return n

    return functions(tree.body, 1)


result = {}
if req.get("unpack"):
    result["unpackErrors"] = unpack()
    has_git = os.path.isdir(os.path.join(repo, ".git"))
    result["hasGit"] = has_git
    if not has_git:
        # check-ignore needs a repository; an empty one judges .gitignore files alone.
        git(["init", "-q"])
    files, truncated = inventory(req.get("maxEntries", 50000))
    result["files"] = files
    result["filesTruncated"] = truncated
    result["commits"] = commits(req.get("maxCommits", 1000)) if has_git else None
    gi = read_text(".gitignore", 4096)
    result["gitignoreEncoding"] = gi["encoding"] if gi else None
    try:
        result["user"] = os.getuid()
    except Exception:
        pass
if req.get("read"):
    contents, budget = [], req.get("maxTotalBytes", 16 << 20)
    for path in req["read"]:
        if budget <= 0:
            break
        item = read_text(path, min(req.get("maxFileBytes", 256 << 10), budget))
        if item is not None:
            budget -= len(item["text"])
            contents.append(item)
    result["contents"] = contents
if req.get("ignore") is not None:
    result["ignore"] = check_ignore(req["ignore"])
if req.get("modules") is not None:
    import importlib.util
    result["modules"] = {m: importlib.util.find_spec(m) is not None for m in req["modules"]}
if req.get("countTests") is not None:
    result["testCounts"] = {p: count_tests(p) for p in req["countTests"]}
sys.stdout.write(json.dumps(result))
