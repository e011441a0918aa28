#!/usr/bin/env python3
"""The peer side of `make bench`: the paper's U-Net (Ronneberger, Fischer, Brox 2015) timed in
PyTorch on the CPU, or its forward pass in onnxruntime or OpenVINO, printing one JSON line with the same
fields as `unet-bench` (forward.median_s/min_s/max_s, train_step.*, forward_gflop,
gflops_at_median, max_rss_mib, ...).

Network (defaults: --base 64 --depth 4 --tile 572, 23 convolution layers, 572 -> 388):
  * contracting level d = 0..depth: two valid 3x3 convolutions with ReLU to base*2^d channels,
    then a 2x2 max-pool with stride 2 (not on the bottom level);
  * expansive level d = depth-1..0: 2x2 stride-2 transposed convolution to base*2^d channels with
    ReLU (as in the authors' released Caffe model; --no-upconv-relu drops it), the centre crop of
    the matching contracting map concatenated in front ([skip, upsampled]), two valid 3x3
    convolutions with ReLU;
  * a final 1x1 convolution to --classes logits;
  * He-normal weights (std sqrt(2/fan_in); fan_in = 9*Cin for 3x3, Cin for the up-convolution and
    the 1x1 layer), zero biases;
  * training step: forward, pixel-wise softmax cross-entropy weighted by a per-pixel weight map
    (mean over pixels), backward, SGD with momentum (0.99), batch 1.

Labels are random classes and weights uniform in [1, 10): computing the paper's weight map is
preprocessing and not part of a training step. FLOPs count 2 x multiply-adds of the convolutions
(bias, ReLU, pooling and the loss are not counted); a training step is counted as 3 forwards.

Examples:
  python unet_peer.py --base 64 --threads 2 --mode both --reps 5
  python unet_peer.py --engine onnxruntime --base 16 --mode forward
  python unet_peer.py --engine openvino --base 64 --mode forward
  LD_PRELOAD=/usr/lib/x86_64-linux-gnu/libjemalloc.so.2 python unet_peer.py --mode train
"""
import argparse
import json
import os
import platform
import resource
import statistics
import sys
import time


def options(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    add = parser.add_argument
    add("--base", "--base-channels", dest="base", type=int, default=64,
        help="channels of level 0 (paper: 64)")
    add("--depth", type=int, default=4, help="number of 2x2 max-poolings (paper: 4)")
    add("--tile", type=int, default=572, help="input tile edge (paper: 572, output 388)")
    add("--in-ch", type=int, default=1, help="input channels")
    add("--classes", type=int, default=2, help="output classes")
    add("--threads", type=int, default=2, help="intra-op threads")
    add("--mode", choices=["forward", "train", "both"], default="both")
    add("--reps", type=int, default=5, help="timed repetitions (median, min, max reported)")
    add("--warmup", type=int, default=2, help="untimed repetitions before timing")
    add("--lr", type=float, default=1e-4, help="SGD learning rate")
    add("--momentum", type=float, default=0.99, help="SGD momentum")
    add("--dropout", type=float, default=0.0,
        help="dropout probability on the last two contracting levels (training only)")
    add("--no-upconv-relu", action="store_true", help="no ReLU after the up-convolutions")
    add("--channels-last", action="store_true", help="NHWC memory format instead of NCHW")
    add("--no-mkldnn", action="store_true", help="disable PyTorch's oneDNN convolutions")
    add("--no-bind", action="store_true",
        help="do not pin the OpenMP threads (default OMP_PROC_BIND=close, OMP_PLACES=cores)")
    add("--engine", choices=["torch", "onnxruntime", "openvino"], default="torch",
        help="onnxruntime / openvino: export the model (ONNX opset 17) and time that engine's CPU "
             "inference (forward only; --threads inference threads; OpenVINO with the LATENCY "
             "hint and f32 precision)")
    add("--seed", type=int, default=0)
    return parser.parse_args(argv)


ARGS = options()
# Thread settings must be in the environment before torch and its OpenMP runtime load.
os.environ["OMP_NUM_THREADS"] = str(ARGS.threads)
os.environ["MKL_NUM_THREADS"] = str(ARGS.threads)
if ARGS.engine == "torch" and not ARGS.no_bind:
    # One OpenMP thread per core: unpinned, the VM's scheduler at times stacks both on one vCPU.
    # Not for onnxruntime, whose own threads would inherit libgomp's one-core mask.
    os.environ.setdefault("OMP_PROC_BIND", "close")
    os.environ.setdefault("OMP_PLACES", "cores")

import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402
from torch import nn  # noqa: E402


def layer_plan(tile, base, depth, in_ch, classes):
    """The network's layers with their output edge and multiply-adds, and the output edge."""
    plan, skips = [], []
    size, channels = tile, in_ch

    def conv3(name, cin, cout):
        nonlocal size
        size -= 2
        if size <= 0:
            raise SystemExit(f"tile {tile} is too small for depth {depth}")
        plan.append(dict(name=name, kind="conv3x3", cin=cin, cout=cout, size=size,
                         macs=9 * cin * cout * size * size))

    for level in range(depth + 1):
        width = base << level
        conv3(f"down{level}.conv0", channels, width)
        conv3(f"down{level}.conv1", width, width)
        channels = width
        if level < depth:
            if size % 2:
                raise SystemExit(f"tile {tile}: odd map {size} before pooling level {level}")
            skips.append(channels)
            size //= 2
    for level in reversed(range(depth)):
        width = base << level
        size *= 2
        plan.append(dict(name=f"up{level}.upconv", kind="upconv2x2", cin=channels, cout=width,
                         size=size, macs=channels * width * size * size))
        conv3(f"up{level}.conv0", skips[level] + width, width)
        conv3(f"up{level}.conv1", width, width)
        channels = width
    plan.append(dict(name="final", kind="conv1x1", cin=channels, cout=classes, size=size,
                     macs=channels * classes * size * size))
    return plan, size


def he_normal(module, fan_in):
    with torch.no_grad():
        module.weight.normal_(0.0, (2.0 / fan_in) ** 0.5)
        module.bias.zero_()
    return module


def crop_centre(skip, edge):
    top = (skip.shape[-2] - edge) // 2
    left = (skip.shape[-1] - edge) // 2
    return skip[..., top:top + edge, left:left + edge]


class UNet(nn.Module):
    """The paper's U-Net (see the module docstring)."""

    def __init__(self, in_ch, classes, base, depth, upconv_relu, dropout):
        super().__init__()
        self.depth, self.upconv_relu = depth, upconv_relu
        conv3 = lambda cin, cout: he_normal(nn.Conv2d(cin, cout, 3), 9 * cin)  # noqa: E731
        self.contracting = nn.ModuleList()
        channels = in_ch
        for level in range(depth + 1):
            width = base << level
            self.contracting.append(nn.ModuleList([conv3(channels, width), conv3(width, width)]))
            channels = width
        self.dropout = nn.Dropout(dropout) if dropout > 0 else nn.Identity()
        self.upconvs, self.expansive = nn.ModuleList(), nn.ModuleList()
        for level in reversed(range(depth)):
            width = base << level
            self.upconvs.append(he_normal(nn.ConvTranspose2d(channels, width, 2, stride=2), channels))
            self.expansive.append(nn.ModuleList([conv3(2 * width, width), conv3(width, width)]))
            channels = width
        self.final = he_normal(nn.Conv2d(channels, classes, 1), channels)

    @staticmethod
    def double_conv(pair, x):
        return F.relu(pair[1](F.relu(pair[0](x))))

    def forward(self, x):
        skips = []
        for level, pair in enumerate(self.contracting):
            x = self.double_conv(pair, x)
            if level >= self.depth - 1:  # the paper's dropout at the end of the contracting path
                x = self.dropout(x)
            if level < self.depth:
                skips.append(x)
                x = F.max_pool2d(x, 2, 2)
        for upconv, pair, skip in zip(self.upconvs, self.expansive, reversed(skips)):
            x = upconv(x)
            if self.upconv_relu:
                x = F.relu(x)
            x = self.double_conv(pair, torch.cat([crop_centre(skip, x.shape[-1]), x], dim=1))
        return self.final(x)


def weighted_cross_entropy(logits, labels, weights):
    """E = mean over pixels of w(x) * -log softmax(logits)_{label(x)}(x)."""
    return (F.cross_entropy(logits, labels, reduction="none") * weights).mean()


def run_timed(body, reps, warmup):
    """Times `body` `reps` times after `warmup` untimed runs; the same summary as unet-bench."""
    for _ in range(warmup):
        body()
    times = []
    usage0, cpu0, wall0 = resource.getrusage(resource.RUSAGE_SELF), time.process_time(), time.perf_counter()
    for _ in range(reps):
        start = time.perf_counter()
        body()
        times.append(time.perf_counter() - start)
    usage1, cpu1, wall1 = resource.getrusage(resource.RUSAGE_SELF), time.process_time(), time.perf_counter()
    return times, dict(cpu_util=round((cpu1 - cpu0) / (wall1 - wall0), 3),
                       minor_faults_per_rep=(usage1.ru_minflt - usage0.ru_minflt) // max(reps, 1))


def summarise(timing, gflop):
    times, extra = timing
    median = statistics.median(times)
    return dict(median_s=round(median, 5), min_s=round(min(times), 5), max_s=round(max(times), 5),
                reps=len(times), all_s=[round(t, 5) for t in times],
                gflops_at_median=round(gflop / median, 2), gflops_at_min=round(gflop / min(times), 2),
                **extra)


def peak_rss_mib():
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def allocator():
    preload = os.environ.get("LD_PRELOAD", "")
    return next((name for name in ("jemalloc", "tcmalloc", "mimalloc") if name in preload),
                "glibc malloc")


def cpu_name():
    try:
        with open("/proc/cpuinfo") as info:
            for line in info:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor()


def onnxruntime_forward(model, x, a, out_edge, result):
    """Exports the model to ONNX and times onnxruntime's CPU inference of one tile."""
    import tempfile
    import numpy as np
    import onnxruntime as ort
    model.eval()
    path = os.path.join(tempfile.mkdtemp(prefix="unet_peer_"), "unet.onnx")
    with torch.inference_mode():
        torch.onnx.export(model, (x,), path, dynamo=False, opset_version=17,
                          input_names=["x"], output_names=["y"])
    os.sched_setaffinity(0, range(os.cpu_count()))  # ORT's threads inherit this mask
    settings = ort.SessionOptions()
    settings.intra_op_num_threads = a.threads
    settings.inter_op_num_threads = 1
    settings.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    session = ort.InferenceSession(path, settings, providers=["CPUExecutionProvider"])
    xn = x.numpy()
    y = session.run(None, {"x": xn})[0]
    with torch.inference_mode():
        reference = model(x).numpy()
    if y.shape != (1, a.classes, out_edge, out_edge):
        raise SystemExit(f"onnxruntime output {y.shape}")
    result.update(framework="onnxruntime", version=ort.__version__,
                  exported_with=f"torch {torch.__version__} torch.onnx.export(dynamo=False, opset 17)",
                  backend=dict(providers=session.get_providers(), intra_op_num_threads=a.threads,
                               graph_optimization="ORT_ENABLE_ALL",
                               max_abs_diff_vs_torch=float(np.abs(y - reference).max())))
    return run_timed(lambda: session.run(None, {"x": xn}), a.reps, a.warmup)


def openvino_forward(model, x, a, out_edge, result):
    """Exports the model to ONNX and times OpenVINO's CPU inference of one tile (latency hint,
    f32 inference precision so that no bf16 is used, a.threads threads)."""
    import tempfile
    import numpy as np
    import openvino as ov
    model.eval()
    path = os.path.join(tempfile.mkdtemp(prefix="unet_peer_"), "unet.onnx")
    with torch.inference_mode():
        torch.onnx.export(model, (x,), path, dynamo=False, opset_version=17,
                          input_names=["x"], output_names=["y"])
    os.sched_setaffinity(0, range(os.cpu_count()))  # OpenVINO's threads inherit this mask
    compiled = ov.Core().compile_model(path, "CPU", {"INFERENCE_NUM_THREADS": a.threads,
                                                     "PERFORMANCE_HINT": "LATENCY",
                                                     "INFERENCE_PRECISION_HINT": "f32"})
    request = compiled.create_infer_request()
    xn = x.numpy()
    y = request.infer({0: xn})[compiled.output(0)]
    with torch.inference_mode():
        reference = model(x).numpy()
    if y.shape != (1, a.classes, out_edge, out_edge):
        raise SystemExit(f"openvino output {y.shape}")
    result.update(framework="openvino", version=ov.__version__,
                  exported_with=f"torch {torch.__version__} torch.onnx.export(dynamo=False, opset 17)",
                  backend=dict(device="CPU", threads=a.threads, hint="LATENCY", precision="f32",
                               max_abs_diff_vs_torch=float(np.abs(y - reference).max())))
    return run_timed(lambda: request.infer({0: xn}), a.reps, a.warmup)


def main():
    a = ARGS
    torch.manual_seed(a.seed)
    torch.set_num_threads(a.threads)
    if a.no_mkldnn:
        torch.backends.mkldnn.enabled = False
    plan, out_edge = layer_plan(a.tile, a.base, a.depth, a.in_ch, a.classes)
    gflop = 2 * sum(layer["macs"] for layer in plan) / 1e9
    memory_format = torch.channels_last if a.channels_last else torch.contiguous_format
    model = UNet(a.in_ch, a.classes, a.base, a.depth, not a.no_upconv_relu, a.dropout)
    model = model.to(memory_format=memory_format)
    x = torch.randn(1, a.in_ch, a.tile, a.tile).contiguous(memory_format=memory_format)
    labels = torch.randint(0, a.classes, (1, out_edge, out_edge))
    weights = 1.0 + 9.0 * torch.rand(1, out_edge, out_edge)

    result = dict(
        framework="pytorch", version=torch.__version__,
        backend=dict(mkldnn_enabled=torch.backends.mkldnn.enabled,
                     cpu_capability=torch.backends.cpu.get_cpu_capability(),
                     num_threads=torch.get_num_threads()),
        config=dict(base=a.base, depth=a.depth, tile=a.tile, in_ch=a.in_ch, classes=a.classes,
                    threads=a.threads, mode=a.mode, reps=a.reps, warmup=a.warmup, lr=a.lr,
                    momentum=a.momentum, batch=1, dropout=a.dropout,
                    upconv_relu=not a.no_upconv_relu, engine=a.engine,
                    memory_format="channels_last" if a.channels_last else "NCHW",
                    omp_proc_bind=os.environ.get("OMP_PROC_BIND"), allocator=allocator()),
        conv_layers=len(plan), params=sum(p.numel() for p in model.parameters()),
        input_size=[1, a.in_ch, a.tile, a.tile], output_size=[1, a.classes, out_edge, out_edge],
        forward_gflop=round(gflop, 4), train_step_gflop_counted=round(3 * gflop, 4),
        flop_note="2 x multiply-adds of the 3x3, 2x2-up and 1x1 convolutions; train step = 3 x forward",
        host=dict(cpu=cpu_name(), nproc=os.cpu_count(), python=platform.python_version()))

    if a.engine in ("onnxruntime", "openvino"):
        if a.mode != "forward":
            raise SystemExit(f"--engine {a.engine} times --mode forward only")
        run_engine = onnxruntime_forward if a.engine == "onnxruntime" else openvino_forward
        result["forward"] = summarise(run_engine(model, x, a, out_edge, result), gflop)
    else:
        if a.mode in ("forward", "both"):
            model.eval()

            def forward():
                with torch.inference_mode():
                    return model(x)

            if tuple(forward().shape) != (1, a.classes, out_edge, out_edge):
                raise SystemExit("unexpected output shape")
            result["forward"] = summarise(run_timed(forward, a.reps, a.warmup), gflop)
        if a.mode in ("train", "both"):
            model.train()
            optimizer = torch.optim.SGD(model.parameters(), lr=a.lr, momentum=a.momentum)
            losses = []

            def step():
                optimizer.zero_grad(set_to_none=True)
                loss = weighted_cross_entropy(model(x), labels, weights)
                loss.backward()
                optimizer.step()
                losses.append(loss.item())

            result["train_step"] = summarise(run_timed(step, a.reps, a.warmup), 3 * gflop)
            result["train_step"].update(
                loss_first=round(losses[0], 6), loss_last=round(losses[-1], 6),
                loss_finite=all(abs(value) != float("inf") and value == value for value in losses))
    result["max_rss_mib"] = peak_rss_mib()
    print(json.dumps(result))
    sys.stdout.flush()


if __name__ == "__main__":
    main()
