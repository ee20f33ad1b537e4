using Sparsify.Core.Compilation;
using Sparsify.Core.Execution;
using Sparsify.Core.Ir;
using Sparsify.Hardware.Gpu;
using Sparsify.Runtime.Blob;

namespace Sparsify.Hardware.Tests.Gpu;

/// <summary>One accelerator for every GPU test (the one SPARSIFY_ILGPU_ACCELERATOR names; the CPU accelerator by default).</summary>
internal static class SharedDevice
{
    private static readonly Lazy<IlgpuDevice> Device = new(AcceleratorFactory.CreateFromEnvironment);

    public static IlgpuDevice Instance => Device.Value;
}

/// <summary>Compiles a graph, runs it on the accelerator and on the reference executor, and compares.</summary>
internal static class GpuComparison
{
    /// <summary>Relative tolerance: |gpu - reference| ≤ Tolerance · max |reference|.</summary>
    public const double Tolerance = 1e-4;

    /// <summary>
    /// Compiles <paramref name="graph"/> (pruning it in place), runs the compiled model on the shared
    /// accelerator and the pruned graph on <see cref="ReferenceExecutor"/> with the same seeded input,
    /// asserts they agree, and returns the model's kernel plan.
    /// </summary>
    public static IReadOnlyList<string> CompileAndCompare(ModelGraph graph, CompileOptions options, int seed = 7)
    {
        var compiled = ModelCompiler.Compile(graph, options);
        var input = RandomInput(graph.Inputs[0].Shape.ElementCount, seed);
        var expected = new ReferenceExecutor(graph).Run(input);
        using var model = IlgpuModel.Create(SharedDevice.Instance.Accelerator, compiled.Manifest, new WeightBlobReader(compiled.Blob));
        var actual = model.Run(input);
        AssertClose(expected, actual, string.Join("\n", model.Plan));

        // The runner follows the manifest's execution plan: one launch (or view) per step, the step's layer first.
        Assert.HasCount(compiled.Manifest.Execution.Steps.Count, model.Plan, string.Join("\n", model.Plan));
        CollectionAssert.AreEqual(
            compiled.Manifest.Execution.Steps.Select(s => s.Layer).ToArray(),
            model.Plan.Select(line => line[..line.IndexOf(':', StringComparison.Ordinal)]).ToArray());
        return model.Plan;
    }

    public static float[] RandomInput(int length, int seed)
    {
        var random = new Random(seed);
        var input = new float[length];
        for (var i = 0; i < input.Length; i++)
        {
            input[i] = (random.NextSingle() * 2f) - 1f;
        }

        return input;
    }

    public static void AssertClose(float[] expected, float[] actual, string context)
    {
        Assert.HasCount(expected.Length, actual);
        var scale = expected.Max(MathF.Abs);
        Assert.IsGreaterThan(0f, scale, "the reference output is all zeros: the comparison would prove nothing");
        var worst = 0.0;
        var at = 0;
        for (var i = 0; i < expected.Length; i++)
        {
            var diff = Math.Abs((double)expected[i] - actual[i]);
            if (!(diff <= worst))
            {
                worst = diff;
                at = i;
            }
        }

        Assert.IsLessThanOrEqualTo(Tolerance * scale, worst, $"worst difference {worst:g3} at {at} (reference {expected[at]}, accelerator {actual[at]}), max |reference| {scale:g3}; plan:\n{context}");
    }
}
