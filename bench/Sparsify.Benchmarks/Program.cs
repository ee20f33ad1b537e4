using BenchmarkDotNet.Running;

BenchmarkSwitcher.FromAssembly(typeof(Sparsify.Benchmarks.BenchmarkModels).Assembly).Run(args);
