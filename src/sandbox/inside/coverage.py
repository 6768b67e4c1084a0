# Runs inside the sandbox as uid 1000 with `python3 -I`, started by supervise.py after
# every process of the student's command is gone. argv[1] is a JSON request:
# {rc, source, repo}. Prints one JSON object: the coverage of the source folders,
# measured with the grader's configuration over the data the test run recorded.
import json, os, sys

req = json.loads(sys.argv[1])
out = {}
try:
    import coverage

    cov = coverage.Coverage(config_file=req["rc"])
    data_file = cov.config.data_file
    if not os.path.isfile(data_file):
        out["error"] = "no-data"
    else:
        cov.load()
        data = cov.get_data()
        # Every Python file of the source folders counts, also those the tests never imported.
        found = []
        for top in req["source"]:
            base = os.path.join(req["repo"], top)
            for root, dirs, files in os.walk(base):
                dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d != "__pycache__")
                found += [os.path.join(root, f) for f in sorted(files) if f.endswith(".py")]
        data.touch_files([os.path.realpath(f) for f in found])
        with open(os.devnull, "w") as devnull:
            sys.stdout, real = devnull, sys.stdout
            try:
                cov.json_report(outfile=os.path.join(os.path.dirname(data_file), "coverage.json"))
            finally:
                sys.stdout = real
        with open(os.path.join(os.path.dirname(data_file), "coverage.json")) as f:
            totals = json.load(f)["totals"]
        out = {"percent": totals["percent_covered"], "covered": totals["covered_lines"],
               "statements": totals["num_statements"], "files": len(found)}
except Exception as e:  # noqa: BLE001 - whatever went wrong is told, not raised
    out = {"error": f"{type(e).__name__}: {e}"[:500]}
sys.stdout.write(json.dumps(out))
