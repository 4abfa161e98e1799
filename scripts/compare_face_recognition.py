"""Speed and accuracy of `kiosk encode` against face_recognition 1.3.0 on the same camera frames.

Run by scripts/compare-face_recognition inside its virtualenv (dlib built from source with
OpenBLAS); see that script for the setup. Two roles in one file:

- the default role (orchestrator) makes 640x480 camera-like JPEG frames from the sample photos
  and the shared LFW dev set, runs every side on them for each upsample value, and prints median
  stage timings, the face_recognition/kiosk ratio and parity;
- `worker` runs face_recognition's ordinary user pipeline on the frames inside whichever
  virtualenv's Python starts it (the source-built dlib here, or the parity script's dlib-bin
  wheel) and prints its boxes, embeddings and timings as JSON. Each side therefore runs in a
  fresh process of its own, as kiosk does, and model loading is never timed.
"""
import argparse
import json
import math
import os
import platform
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

FRAME_W, FRAME_H = 640, 480  # a common USB webcam mode, what the kiosk's camera delivers
JPEG_QUALITY = 85            # typical of a webcam's MJPEG frames
WARMUP = 3                   # untimed calls on the first frames before timing (each side)
BUSY_CORES = 0.1             # other processes' load above which a side's timings are redone
                             # (OpenBLAS runs on both cores: even a little load shows)
MAX_DISTANCE = 1e-4          # the parity script's limit for "the same embedding"
IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png"}
STAGES = ("decode", "detect", "landmarks_embed", "total")


def log(msg):
    print(f"compare: {msg}", file=sys.stderr, flush=True)


# ---------------------------------------------------------------------------------------------
# worker: face_recognition as a user runs it


def dlib_info():
    import dlib
    info = {"version": dlib.__version__, "module": dlib.__file__}
    for flag in ("DLIB_USE_BLAS", "DLIB_USE_LAPACK", "DLIB_USE_CUDA"):
        info[flag] = bool(getattr(dlib, flag, False))
    # Which shared object carries dlib's code, and which BLAS it resolves to at run time.
    so_dir = Path(dlib.__file__).parent
    if so_dir.name == "dlib":  # dlib-bin installs a package dir, the sdist a single module
        so_dir = so_dir.parent
    sos = sorted(str(p) for p in so_dir.glob("_dlib_pybind11*.so"))
    info["shared_object"] = sos[0] if sos else None
    info["blas_libraries"] = linked_blas(sos[0]) if sos else []
    return info


def worker(args):
    """Time face_recognition's default pipeline per frame; print JSON on stdout.

    The three calls are what a user writes (README of face_recognition):
        img = face_recognition.load_image_file(path)                                # decode
        locations = face_recognition.face_locations(img, number_of_times_to_upsample=U)  # detect
        encodings = face_recognition.face_encodings(img, known_face_locations=locations) # embed
    face_encodings runs the 5-point landmark predictor and the ResNet descriptor, so its time
    is landmarks+embed. Separately and untimed, face_encodings(img) without locations is also
    recorded: it encodes from dlib's raw (untrimmed) rectangles, as kiosk does, while the
    known-locations call encodes from the boxes trimmed to the image; they differ only for
    faces touching the frame's edge.
    """
    t_import = time.perf_counter()
    import face_recognition  # loads all its models
    import_ms = (time.perf_counter() - t_import) * 1000.0
    up = args.upsample

    def pipeline(path):
        t0 = time.perf_counter()
        img = face_recognition.load_image_file(path)
        t1 = time.perf_counter()
        locations = face_recognition.face_locations(img, number_of_times_to_upsample=up)
        t2 = time.perf_counter()
        encodings = face_recognition.face_encodings(img, known_face_locations=locations)
        t3 = time.perf_counter()
        ms = lambda a, b: (b - a) * 1000.0  # noqa: E731
        return img, locations, encodings, {"decode": ms(t0, t1), "detect": ms(t1, t2),
                                           "landmarks_embed": ms(t2, t3), "total": ms(t0, t3)}

    for i in range(WARMUP):
        pipeline(args.frames[i % len(args.frames)])
    rounds = {}  # path -> [timings per round]
    results = {}
    for _ in range(args.rounds):
        for path in args.frames:
            img, locations, encodings, timings = pipeline(path)
            rounds.setdefault(path, []).append(timings)
            results[path] = {"image": path, "faces": [
                {"box": list(b), "embedding": [float(x) for x in e]} for b, e in zip(locations, encodings)]}
    api = face_recognition.api
    for path in args.frames:  # untimed: what face_encodings(img) does, from raw rectangles
        img = face_recognition.load_image_file(path)
        raw = [api.face_encoder.compute_face_descriptor(img, api.pose_predictor_5_point(img, r), 1)
               for r in api._raw_face_locations(img, up, "hog")]
        for face, enc in zip(results[path]["faces"], raw):  # same detector order as face_locations
            face["embedding_raw_box"] = [float(x) for x in enc]
        results[path]["timings_ms"] = {s: statistics.median(r[s] for r in rounds[path]) for s in STAGES}
    json.dump({"dlib": dlib_info(), "import_ms": import_ms, "python": sys.version.split()[0],
               "results": [results[p] for p in args.frames]}, sys.stdout)
    return 0


# ---------------------------------------------------------------------------------------------
# orchestrator


def linked_blas(path):
    """BLAS/LAPACK libraries a binary resolves to (ldd), e.g. OpenBLAS or nothing at all."""
    try:
        out = subprocess.run(["ldd", path], capture_output=True, text=True, timeout=30).stdout
    except (OSError, subprocess.SubprocessError):
        return []
    libs = []
    for line in out.splitlines():
        name = line.strip().split(" ")[0]
        if any(k in name for k in ("blas", "lapack", "mkl", "atlas")):
            target = line.split("=>")[-1].split("(")[0].strip()
            libs.append(os.path.realpath(target) if target.startswith("/") else name)
    return libs


def machine():
    cpu = platform.processor() or "unknown"
    try:
        with open("/proc/cpuinfo") as f:
            names = [l.split(":", 1)[1].strip() for l in f if l.startswith("model name")]
        cpu = names[0] if names else cpu
        logical = len(names) or os.cpu_count()
    except OSError:
        logical = os.cpu_count()
    return {"cpu": cpu, "logical_cpus": logical, "usable_cpus": len(os.sched_getaffinity(0)),
            "kernel": platform.release(), "load_average_start": os.getloadavg(),
            "OPENBLAS_NUM_THREADS": os.environ.get("OPENBLAS_NUM_THREADS"),
            "OMP_NUM_THREADS": os.environ.get("OMP_NUM_THREADS")}


def collect(args):
    """Samples dir and ../shared/faces/dev/**/*.jpg (when present): [(set, display name, path)]."""
    found = []
    samples = Path(args.samples)
    if samples.is_dir():
        found += [("samples", p.name, p) for p in sorted(samples.iterdir()) if p.suffix.lower() in IMAGE_SUFFIXES]
    else:
        log(f"samples: {samples} not found: SKIPPED (set KIOSK_SAMPLES or run scripts/setup)")
    dev = Path(os.path.normpath(args.dev))
    if dev.is_dir():
        found += [("dev", str(p.relative_to(dev)), p) for p in sorted(dev.rglob("*.jpg"))]
    else:
        log(f"dev set: {dev} not found (no shared/faces beside the repository): LFW dev photos SKIPPED")
    return found


def make_frames(sources, out_dir, crop="center"):
    """Turn each photo into what a 640x480 webcam would deliver: scaled to cover 640x480 with its
    aspect kept, centre-cropped, JPEG quality 85. Names sort in input order, so `DIR/*.jpg`
    lists them in the order used here.

    crop="top" keeps the top of a tall photo instead of its middle: the centre crop of a
    portrait (all of face_recognition's sample photos are portraits) cuts the head off, the
    way a camera would never frame a visitor."""
    from PIL import Image, ImageOps
    frames = []
    for i, (group, name, path) in enumerate(sources):
        try:
            with Image.open(path) as im:
                im = ImageOps.exif_transpose(im)  # a camera delivers upright frames
                im = im.convert("RGB")            # drops alpha (32bit.png) and palette
                scale = max(FRAME_W / im.width, FRAME_H / im.height)
                size = (max(FRAME_W, math.ceil(im.width * scale)), max(FRAME_H, math.ceil(im.height * scale)))
                im = im.resize(size, Image.Resampling.LANCZOS)
                left = (size[0] - FRAME_W) // 2
                top = (size[1] - FRAME_H) // 2 if crop == "center" else 0
                im = im.crop((left, top, left + FRAME_W, top + FRAME_H))
                stem = Path(name).with_suffix("").as_posix().replace("/", "__")
                dest = out_dir / f"{i:04d}-{group}-{stem}.jpg"
                im.save(dest, "JPEG", quality=JPEG_QUALITY)
                frames.append({"frame": str(dest), "set": group, "source": f"{group}/{name}"})
        except Exception as e:  # noqa: BLE001 - an unreadable photo is reported, not fatal
            log(f"{path}: cannot make a frame ({type(e).__name__}: {e}): skipped")
    return frames


def wait_for(binary, seconds=300):
    # The kiosk binary may be mid-rebuild by another process: wait for it to reappear.
    for _ in range(seconds):
        if os.access(binary, os.X_OK):
            return
        time.sleep(1)
    sys.exit(f"compare: {binary} not found or not executable")


def run_kiosk(args, paths, upsample):
    wait_for(args.kiosk_bin)
    # The first WARMUP entries are the first frames once more, untimed: kiosk's first image pays
    # for lazy initialisation (allocations, OpenBLAS threads), as face_recognition's first calls do.
    argv = [args.kiosk_bin, "encode", "--json", "--timings", "--upsample", str(upsample),
            *[paths[i % len(paths)] for i in range(WARMUP)], *paths * args.rounds]
    proc, others = run_measured(argv)
    if proc.returncode != 0 or not proc.stdout.strip():
        sys.exit(f"compare: {args.kiosk_bin} failed (exit {proc.returncode}):\n{proc.stderr}")
    entries = json.loads(proc.stdout)[WARMUP:]
    results = {}
    for entry in entries:
        t = entry["timings_ms"]
        timings = {"decode": t["decode"], "detect": t["detect"],
                   "landmarks_embed": t["landmarks"] + t["embed"],
                   "total": t["decode"] + t["detect"] + t["landmarks"] + t["embed"]}
        results.setdefault(entry["image"], {"image": entry["image"], "faces": entry["faces"], "rounds": []})
        results[entry["image"]]["rounds"].append(timings)
    for r in results.values():
        rounds = r.pop("rounds")
        r["timings_ms"] = {s: statistics.median(x[s] for x in rounds) for s in STAGES}
    return [results[p] for p in paths], argv, others


def cpu_busy_seconds():
    """CPU seconds all processes have spent busy since boot (/proc/stat), or None."""
    try:
        with open("/proc/stat") as f:
            fields = [int(x) for x in f.readline().split()[1:]]
    except (OSError, ValueError):
        return None
    user, nice, system, _idle, _iowait, irq, softirq = fields[:7]
    return (user + nice + system + irq + softirq) / os.sysconf("SC_CLK_TCK")


def wait_quiet(limit=90.0):
    """Wait (up to `limit` s) until other processes leave the CPUs idle for 2 s running."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        b0 = cpu_busy_seconds()
        time.sleep(2.0)
        b1 = cpu_busy_seconds()
        if b0 is None or b1 is None or (b1 - b0) / 2.0 < BUSY_CORES:
            return
    log(f"the machine stayed busy for {limit:.0f} s: timing anyway")


def run_measured(argv):
    """subprocess.run, plus how many cores OTHER processes kept busy meanwhile.

    Timings on a shared 2-core machine mean little when something else runs (a compiler, a
    benchmark): each side's run reports this so a disturbed run is visible, not silent.
    """
    busy0, own0, t0 = cpu_busy_seconds(), os.times(), time.monotonic()
    proc = subprocess.run(argv, capture_output=True, text=True)
    busy1, own1, t1 = cpu_busy_seconds(), os.times(), time.monotonic()
    others = None
    if busy0 is not None and busy1 is not None and t1 > t0:
        ours = sum(own1[:4]) - sum(own0[:4])  # this process and the finished child
        others = max(0.0, (busy1 - busy0 - ours) / (t1 - t0))
    return proc, others


def run_worker(args, python, paths, upsample):
    argv = [python, os.path.abspath(__file__), "worker", "--upsample", str(upsample),
            "--rounds", str(args.rounds), *paths]
    proc, others = run_measured(argv)
    if proc.returncode != 0:
        sys.exit(f"compare: face_recognition worker ({python}) failed (exit {proc.returncode}):\n{proc.stderr}")
    return json.loads(proc.stdout), argv, others


def medians(results):
    return {s: statistics.median(r["timings_ms"][s] for r in results) for s in STAGES}


def parity(ref, ours):
    """Frames whose box sets are identical; max embedding distance over faces paired by box,
    for face_recognition's timed call (trimmed boxes) and its raw-rectangle encodings."""
    import numpy as np
    same = 0
    dist = {"face_encodings_known_locations": 0.0, "face_encodings_default": 0.0}
    over = {key: 0 for key in dist}  # faces farther than MAX_DISTANCE
    # face_locations trims boxes to the frame: for these faces face_encodings(img, locations)
    # sees a different rectangle than dlib's raw one (which kiosk and face_encodings(img) use).
    at_edge = sum(1 for r in ref for f in r["faces"]
                  if f["box"][0] == 0 or f["box"][3] == 0 or f["box"][1] == FRAME_W or f["box"][2] == FRAME_H)
    differing = []
    for r, k in zip(ref, ours):
        if sorted(f["box"] for f in r["faces"]) == sorted(f["box"] for f in k["faces"]):
            same += 1
        else:
            differing.append({"image": r["image"], "face_recognition": [f["box"] for f in r["faces"]],
                              "kiosk": [f["box"] for f in k["faces"]]})
        for f in r["faces"]:
            match = next((g for g in k["faces"] if g["box"] == f["box"]), None)
            if match is None:
                continue
            e = np.array(match["embedding"], dtype=np.float64)
            for key, field in (("face_encodings_known_locations", "embedding"),
                               ("face_encodings_default", "embedding_raw_box")):
                if field in f:
                    d = float(np.linalg.norm(np.array(f[field]) - e))
                    dist[key] = max(dist[key], d)
                    over[key] += d >= MAX_DISTANCE
    return {"frames": len(ref), "boxes_identical": same,
            "faces_face_recognition": sum(len(r["faces"]) for r in ref),
            "faces_kiosk": sum(len(k["faces"]) for k in ours),
            "max_embedding_distance": dist, "faces_over_limit": over, "limit": MAX_DISTANCE,
            "faces_at_frame_edge": at_edge,
            "differing": differing}


def shell(argv, paths, frames_dir):
    """An argv as a shell line, with the frame paths written as FRAMES/*.jpg (the same order)."""
    words, i = [], 0
    while i < len(argv):
        if argv[i:i + len(paths)] == paths:
            words.append("FRAMES/*.jpg")
            i += len(paths)
        else:
            a = argv[i]
            words.append("FRAMES/" + shlex.quote(Path(a).name) if a.startswith(str(frames_dir) + os.sep)
                         else shlex.quote(a))
            i += 1
    return " ".join(words)


def main():
    if len(sys.argv) > 1 and sys.argv[1] == "worker":
        p = argparse.ArgumentParser(prog="compare_face_recognition.py worker")
        p.add_argument("--upsample", type=int, required=True)
        p.add_argument("--rounds", type=int, default=1)
        p.add_argument("frames", nargs="+")
        return worker(p.parse_args(sys.argv[2:]))

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--kiosk-bin", required=True)
    parser.add_argument("--samples", required=True)
    parser.add_argument("--dev", required=True)
    parser.add_argument("--noblas-python", help="Python of a venv with the dlib-bin wheel (optional column)")
    parser.add_argument("--upsample", default="1,0", help="comma-separated upsample values (default 1,0)")
    parser.add_argument("--rounds", type=int, default=1,
                        help="time every frame this many times per side and take its median (default 1)")
    parser.add_argument("--crop", choices=("center", "top"), default="center",
                        help="which part of a photo taller than 4:3 becomes the frame (default center)")
    parser.add_argument("--retries", type=int, default=2,
                        help="time a side again (up to this many times) when other processes kept more than "
                             f"{BUSY_CORES} cores busy during its run (default 2)")
    parser.add_argument("--json", action="store_true", help="print the numbers as JSON on stdout")
    parser.add_argument("--keep-frames", action="store_true", help="keep the temporary frame directory")
    args = parser.parse_args()
    upsamples = [int(u) for u in args.upsample.split(",") if u.strip()]

    report = {"machine": machine(), "frame": {"size": f"{FRAME_W}x{FRAME_H}", "jpeg_quality": JPEG_QUALITY,
                                              "crop": args.crop, "warmup_calls": WARMUP, "rounds": args.rounds}}
    sources = collect(args)
    if not sources:
        sys.exit("compare: no photos found")
    frames_dir = Path(tempfile.mkdtemp(prefix="kiosk-compare-frames-"))
    try:
        frames = make_frames(sources, frames_dir, args.crop)
        paths = [f["frame"] for f in frames]
        if not paths:
            sys.exit("compare: no frames could be made")
        counts = {}
        for f in frames:
            counts[f["set"]] = counts.get(f["set"], 0) + 1
        report["frame"].update({"count": len(paths), "sets": counts, "dir": str(frames_dir)})
        log(f"{len(paths)} frames {FRAME_W}x{FRAME_H} in {frames_dir} "
            + ", ".join(f"{n} from {s}" for s, n in counts.items()))

        sides = {"face_recognition_blas": sys.executable}
        if args.noblas_python:
            sides["face_recognition_noblas"] = args.noblas_python
        report["builds"] = {"kiosk": {"binary": args.kiosk_bin, "blas_libraries": linked_blas(args.kiosk_bin)}}
        report["commands"] = {}
        report["upsample"] = {}
        for up in upsamples:
            res, cmds, others = {}, {}, {}
            for side in [*sides, "kiosk"]:
                best = None  # the least disturbed attempt: (others, results, argv, worker output)
                for attempt in range(args.retries + 1):
                    wait_quiet()
                    log(f"upsample {up}: {LABELS[side]} on {len(paths)} frames...")
                    if side == "kiosk":
                        results, argv, busy = run_kiosk(args, paths, up)
                        out = None
                    else:
                        out, argv, busy = run_worker(args, sides[side], paths, up)
                        results = out["results"]
                    if best is None or (busy is not None and busy < best[0]):
                        best = (busy, results, argv, out)
                    if busy is None or busy <= BUSY_CORES or attempt == args.retries:
                        break
                    log(f"other processes kept {busy:.2f} cores busy meanwhile: timing it again")
                others[side], res[side], argv, out = best
                if out is not None:
                    report["builds"][side] = {**out["dlib"], "python": out["python"], "model_load_ms": out["import_ms"]}
                cmds[side] = shell(argv, paths, frames_dir)
            report["commands"][str(up)] = cmds
            med = {side: medians(r) for side, r in res.items()}
            report["upsample"][str(up)] = {
                "median_ms": med,
                "other_processes_cores": others,
                "ratio_total_vs_kiosk": {side: med[side]["total"] / med["kiosk"]["total"]
                                         for side in med if side != "kiosk"},
                "parity_vs_kiosk": {side: parity(res[side], res["kiosk"]) for side in res if side != "kiosk"},
            }
        report["machine"]["load_average_end"] = os.getloadavg()
    finally:
        if args.keep_frames:
            log(f"frames kept in {frames_dir}")
        else:
            shutil.rmtree(frames_dir, ignore_errors=True)

    if args.json:
        json.dump(report, sys.stdout, indent=2)
        print()
    else:
        print_report(report)
    return 0


LABELS = {"face_recognition_noblas": "face_recognition, dlib-bin (no BLAS)",
          "face_recognition_blas": "face_recognition, dlib src + OpenBLAS",
          "kiosk": "kiosk"}


def print_report(rep):
    m = rep["machine"]
    print(f"machine: {m['cpu']}, {m['logical_cpus']} logical CPUs ({m['usable_cpus']} usable), "
          f"Linux {m['kernel']}; load average {fmt_load(m['load_average_start'])} at start, "
          f"{fmt_load(m['load_average_end'])} at end")
    print(f"threads: OPENBLAS_NUM_THREADS={m['OPENBLAS_NUM_THREADS'] or 'unset (one per core)'}; "
          "'others' = cores kept busy by other processes during that side's run")
    fr = rep["frame"]
    print(f"frames: {fr['count']} x {fr['size']} JPEG q{fr['jpeg_quality']}, {fr['crop']} crop ("
          + ", ".join(f"{n} {s}" for s, n in fr["sets"].items())
          + f"); {fr['warmup_calls']} warm-up calls per side; median over frames"
          + (f", each frame timed {fr['rounds']} times" if fr["rounds"] > 1 else ""))
    for side, b in rep["builds"].items():
        if side == "kiosk":
            print(f"kiosk: {b['binary']}, BLAS {', '.join(b['blas_libraries']) or 'none linked'}")
        else:
            print(f"{LABELS[side]}: dlib {b['version']} ({b['shared_object']}), DLIB_USE_BLAS={b['DLIB_USE_BLAS']}, "
                  f"DLIB_USE_LAPACK={b['DLIB_USE_LAPACK']}, BLAS {', '.join(b['blas_libraries']) or 'none linked'}; "
                  f"model load {b['model_load_ms']:.0f} ms (untimed)")
    order = [s for s in LABELS if s in rep["builds"]]
    for up, u in rep["upsample"].items():
        print(f"\nupsample {up}" + (" (face_recognition's default)" if up == "1" else "")
              + ": median ms per frame")
        print(f"  {'':<40}{'decode':>9}{'detect':>9}{'lm+embed':>10}{'total':>9}{'vs kiosk':>10}{'others':>8}")
        for side in order:
            med = u["median_ms"][side]
            ratio = u["ratio_total_vs_kiosk"].get(side)
            other = u["other_processes_cores"].get(side)
            print(f"  {LABELS[side]:<40}" + "".join(f"{med[s]:>{10 if s == 'landmarks_embed' else 9}.1f}" for s in STAGES)
                  + (f"{ratio:>9.2f}x" if ratio else f"{'1.00x':>10}")
                  + (f"{other:>8.2f}" if other is not None else f"{'?':>8}"))
        busy = [s for s, o in u["other_processes_cores"].items() if o is not None and o > BUSY_CORES]
        if busy:  # still busy after the retries
            print(f"  WARNING: other processes kept {max(u['other_processes_cores'][s] for s in busy):.2f} cores busy "
                  f"during {', '.join(LABELS[s] for s in busy)}: those timings are disturbed; rerun on a quiet machine")
        for side, p in u["parity_vs_kiosk"].items():
            d, o = p["max_embedding_distance"], p["faces_over_limit"]
            print(f"  parity, kiosk vs {LABELS[side]}: boxes identical in {p['boxes_identical']}/{p['frames']} frames "
                  f"({p['faces_face_recognition']} faces vs kiosk {p['faces_kiosk']})")
            print(f"    max embedding distance {d['face_encodings_default']:.2e} for face_encodings(img) "
                  f"(faces >= {MAX_DISTANCE:g}: {o['face_encodings_default']}), "
                  f"{d['face_encodings_known_locations']:.2e} for the timed face_encodings(img, locations) "
                  f"(faces >= {MAX_DISTANCE:g}: {o['face_encodings_known_locations']}; faces touching the "
                  f"frame edge, whose trimmed box differs from dlib's raw one: {p['faces_at_frame_edge']})")
            for diff in p["differing"][:5]:
                print(f"    {Path(diff['image']).name}: face_recognition {diff['face_recognition']}, kiosk {diff['kiosk']}")
    print("\ncommands (FRAMES = the temporary frame directory, *.jpg in the order timed):")
    for up, cmds in rep["commands"].items():
        for side, line in cmds.items():
            print(f"  {line}")
    print("  face_recognition worker, per frame: img = load_image_file(f); "
          "loc = face_locations(img, number_of_times_to_upsample=U); enc = face_encodings(img, known_face_locations=loc)")


def fmt_load(load):
    return "/".join(f"{x:.2f}" for x in load)


if __name__ == "__main__":
    sys.exit(main())
