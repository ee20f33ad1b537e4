using System.Globalization;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Running;
using Sparsify.Benchmarks.Generated;

if (args is ["--layers", var model, var sparsity])
{
    LayerProfile.Run(model, double.Parse(sparsity, CultureInfo.InvariantCulture));
    return;
}

BenchmarkSwitcher.FromAssembly(typeof(Sparsify.Benchmarks.BenchmarkModels).Assembly)
    .Run(args, DefaultConfig.Instance.AddExporter(new CpuResultsExporter()));
