using BenchmarkDotNet.Attributes;
using Sparsify.Core.Ir;
using Sparsify.Core.Onnx;

namespace Sparsify.Benchmarks;

/// <summary>Reading and importing the real ResNet18.onnx (63.6 MB): parse, fold BatchNorm, infer shapes.</summary>
[MedianColumn]
[SimpleJob(warmupCount: 2, iterationCount: 10)]
public class ModelLoadBenchmarks
{
    [Benchmark]
    public ModelGraph LoadResNet18() => OnnxModel.Load(BenchmarkModels.ResNet18Path);
}
