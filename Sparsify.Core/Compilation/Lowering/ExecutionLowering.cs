using Sparsify.Runtime.Manifests;

namespace Sparsify.Core.Compilation.Lowering;

/// <summary>
/// Lowers a planned model into its <see cref="ExecutionPlan"/>: named passes in order, each small and
/// tested on its own, the way graph rewrites run before any backend. The plan goes into the manifest; the
/// generator prints it and the other run times follow it, so each decision is made here only.
/// </summary>
public static class ExecutionLowering
{
    /// <summary>The passes' names, in the order they run.</summary>
    public static IReadOnlyList<string> Passes { get; } = [nameof(FuseEpilogues), nameof(PairCompanions), nameof(ChainConvolutions), nameof(AssignBuffers), nameof(LayOutTaps)];

    /// <summary>The execution plan of <paramref name="manifest"/>'s layers (its own plan, if any, is ignored).</summary>
    /// <param name="manifest">The manifest with its layers planned.</param>
    public static ExecutionPlan Lower(Manifest manifest)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        var steps = ChainConvolutions.Run(manifest, PairCompanions.Run(FuseEpilogues.Run(manifest)));
        var (lengths, values) = AssignBuffers.Run(manifest, steps);
        return new ExecutionPlan(new(steps.Select(Freeze)), new(lengths), new(values));
    }

    private static ExecutionStep Freeze(StepDraft s) => new(
        s.Layer.Name, new(s.Fused.Select(f => f.Name)), s.Output, s.Residual, s.Relu,
        s.Feeds?.Layer.Name, s.InputFed, s.Companion?.Layer.Name, s.RunsWith?.Layer.Name, Reason(s), new(LayOutTaps.Of(s)));

    // The words the generated code's step comments and the build report print. Names as the manifest
    // writes them (any text a model gives survives its one line).
    private static string Reason(StepDraft s)
    {
        static string N(string name) => ManifestFormat.EncodeName(name);
        var parts = new List<string>();
        if (s.Fused.Count > 0)
        {
            parts.Add($"fused: {string.Join(" -> ", s.Fused.Select(f => $"{N(f.Name)} ({f.Op})"))}");
        }

        if (s.InputFed)
        {
            parts.Add("input: the layout the step before wrote");
        }

        if (s.Feeds is { } next)
        {
            parts.Add($"output: written into {N(next.Layer.Name)}'s input layout");
        }

        if (s.Companion is { } companion)
        {
            parts.Add($"also runs {N(companion.Layer.Name)} from the same input layout in the same fork");
        }

        if (s.RunsWith is { } host)
        {
            parts.Add($"runs in {N(host.Layer.Name)}'s call, reading its input layout");
        }

        return string.Join("; ", parts);
    }
}
