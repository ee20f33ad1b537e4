using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Running;
using Sparsify.Benchmarks.Generated;

BenchmarkSwitcher.FromAssembly(typeof(Sparsify.Benchmarks.BenchmarkModels).Assembly)
    .Run(args, DefaultConfig.Instance.AddExporter(new CpuResultsExporter()));
