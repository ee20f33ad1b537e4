#!/usr/bin/env bash
# GPU check for Sparsify's ILGPU path, run on a machine with an NVIDIA GPU:
#   1. the ILGPU tests (tests/Sparsify.Hardware.Tests, Gpu namespace) on CUDA instead of ILGPU's CPU accelerator;
#   2. a small console benchmark on the same GPU: AlexNet (227x227) compiled sparse (90%, locality scheme,
#      group format) against the dense ILGPU path and ONNX Runtime's CUDA provider on the dense model.
# Usage: scripts/gpu-check.sh [model=alexnet] [runs=50]
# Environment: SPARSIFY_ILGPU_ACCELERATOR (default cuda here; cpu makes a dry run without a GPU),
#   SPARSIFY_BENCH_ORT_PACKAGE (default Microsoft.ML.OnnxRuntime.Gpu@1.31.0; Microsoft.ML.OnnxRuntime@1.31.1 for a CPU dry run).
# The packages must restore: run it once where nuget.org is reachable, or with a warm NuGet cache.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
model="${1:-alexnet}"
runs="${2:-50}"
export SPARSIFY_ILGPU_ACCELERATOR="${SPARSIFY_ILGPU_ACCELERATOR:-cuda}"
ort_package="${SPARSIFY_BENCH_ORT_PACKAGE:-Microsoft.ML.OnnxRuntime.Gpu@1.31.0}"

echo "== device"
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader || echo "nvidia-smi not available"
echo "SPARSIFY_ILGPU_ACCELERATOR=$SPARSIFY_ILGPU_ACCELERATOR"

echo "== ILGPU tests on $SPARSIFY_ILGPU_ACCELERATOR"
dotnet test "$root/tests/Sparsify.Hardware.Tests/Sparsify.Hardware.Tests.csproj" -c Release \
  --filter "FullyQualifiedName~Sparsify.Hardware.Tests.Gpu" --logger "console;verbosity=normal"

echo "== benchmark: $model, $runs runs, sparse 90% vs dense ILGPU vs ONNX Runtime ($ort_package)"
bench="$(mktemp -d "${TMPDIR:-/tmp}/sparsify-gpu-bench.XXXXXX")"
trap 'rm -rf "$bench"' EXIT
cat > "$bench/GpuBench.cs" <<EOF
#:project $root/Sparsify.Hardware/Sparsify.Hardware.csproj
#:project $root/Sparsify.Core/Sparsify.Core.csproj
#:package $ort_package
#:property Nullable=enable
#:property PublishAot=false
EOF
cat >> "$bench/GpuBench.cs" <<'EOF'
using System.Diagnostics;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Sparsify.Core.Compilation;
using Sparsify.Core.Models;
using Sparsify.Core.Onnx;
using Sparsify.Hardware.Gpu;
using Sparsify.Runtime.Blob;

var modelName = args.Length > 0 ? args[0] : "alexnet";
var runs = args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 50;
using var device = AcceleratorFactory.CreateFromEnvironment();
Console.WriteLine($"accelerator: {device.Description}");

// Two builds of the same seeded model: the compiler prunes its graph in place.
var denseGraph = ModelBuilders.Build(modelName);
var onnx = OnnxModel.ToBytes(denseGraph);
var macs = denseGraph.MacCount;
var dense = ModelCompiler.Compile(denseGraph, new CompileOptions { Sparsity = 0 });
var sparse = ModelCompiler.Compile(ModelBuilders.Build(modelName), new CompileOptions
{
    Sparsity = 0.9, Scheme = "locality", Planner = PlannerOptions.Default with { UnrollBudget = 0 },
});
var shape = denseGraph.Inputs[0].Shape;
var random = new Random(1);
var input = new float[shape.ElementCount];
for (var i = 0; i < input.Length; i++) { input[i] = random.NextSingle(); }

var results = new List<(string Name, double Median, float[] Output)>();
foreach (var (name, compiled) in new[] { ("ILGPU dense", dense), ("ILGPU sparse 90% locality", sparse) })
{
    var clock = Stopwatch.StartNew();
    using var model = IlgpuModel.Create(device.Accelerator, compiled.Manifest, new WeightBlobReader(compiled.Blob));
    var create = clock.Elapsed.TotalMilliseconds;
    var output = new float[model.OutputLength];
    clock.Restart();
    model.Run(input, output);
    var first = clock.Elapsed.TotalMilliseconds;
    var median = Median(runs, () => model.Run(input, output));
    Console.WriteLine($"{name,-28} create {create,8:F1} ms  first run {first,8:F1} ms  median {median,8:F3} ms  device memory {model.DeviceBytes / 1e6:F1} MB");
    foreach (var line in model.Plan) { Console.WriteLine($"    {line}"); }
    results.Add((name, median, output));
}

var options = new SessionOptions();
string provider;
try { options.AppendExecutionProvider_CUDA(0); provider = "CUDA"; }
catch (Exception e) { provider = $"CPU (CUDA provider unavailable: {e.GetType().Name}: {e.Message.Split('\n')[0]})"; }
using (var session = new InferenceSession(onnx, options))
{
    var inputName = session.InputMetadata.Keys.First();
    var tensor = new DenseTensor<float>(input, shape.ToArray());
    var feed = new[] { NamedOnnxValue.CreateFromTensor(inputName, tensor) };
    float[] output;
    using (var first = session.Run(feed)) { output = first.First().AsEnumerable<float>().ToArray(); }
    var median = Median(runs, () => { using var r = session.Run(feed); });
    Console.WriteLine($"{"ONNX Runtime dense",-28} provider {provider}  median {median,8:F3} ms");
    results.Add(("ONNX Runtime dense", median, output));
}

var reference = results[0].Output;
var scale = reference.Max(MathF.Abs);
Console.WriteLine($"dense MACs {macs / 1e6:F1} M");
foreach (var (name, median, output) in results)
{
    // The sparse model has other (pruned) weights: only the dense paths must agree.
    var diff = name.Contains("sparse", StringComparison.Ordinal)
        ? "n/a (pruned weights)"
        : (reference.Zip(output, (a, b) => Math.Abs(a - b)).Max() / scale).ToString("g3", System.Globalization.CultureInfo.InvariantCulture);
    Console.WriteLine($"{name,-28} {median,8:F3} ms  {2.0 * macs / (median * 1e6),8:F1} dense-equivalent GFLOP/s  x{results[0].Median / median:F2} vs ILGPU dense  x{results[2].Median / median:F2} vs ORT  max rel diff vs ILGPU dense: {diff}");
}

static double Median(int runs, Action action)
{
    for (var i = 0; i < 3; i++) { action(); }
    var times = new double[runs];
    for (var i = 0; i < runs; i++)
    {
        var clock = Stopwatch.StartNew();
        action();
        times[i] = clock.Elapsed.TotalMilliseconds;
    }

    Array.Sort(times);
    return times[runs / 2];
}
EOF
dotnet run --file "$bench/GpuBench.cs" -c Release -- "$model" "$runs"
