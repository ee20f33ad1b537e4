using System.Globalization;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Running;
using Sparsify.Benchmarks.Generated;

if (args is ["--layers", var model, var sparsity])
{
    LayerProfile.Run(model, double.Parse(sparsity, CultureInfo.InvariantCulture));
    return;
}

if (args is ["--dense-layers", var denseModel, ..] denseArgs)
{
    DenseLayerProfile.Run(denseModel, denseArgs.Length > 2 ? int.Parse(denseArgs[2], CultureInfo.InvariantCulture) : 2);
    return;
}

if (args is ["--zoo", var folder, ..] rest)
{
    Sparsify.Benchmarks.Zoo.ModelZoo.Run(folder, rest.Length > 2 ? int.Parse(rest[2], CultureInfo.InvariantCulture) : 20);
    return;
}

BenchmarkSwitcher.FromAssembly(typeof(Sparsify.Benchmarks.BenchmarkModels).Assembly)
    .Run(args, DefaultConfig.Instance.AddExporter(new CpuResultsExporter()));
