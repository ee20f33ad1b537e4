using System.Collections.Generic;
using System.Linq;
using Sparsify.Generators.Model;
using Sparsify.Runtime.Manifests;

namespace Sparsify.Generators.Emission;

/// <summary>One step of the manifest's execution plan, with the objects it links to and a C# identifier.</summary>
/// <param name="Layer">The layer that does the work.</param>
/// <param name="Ident">A C# identifier fragment unique in the class.</param>
/// <param name="Output">The value the step writes (the last fused layer's output).</param>
/// <param name="Relu">Whether a ReLU is fused.</param>
/// <param name="Residual">The value added before the ReLU (Conv→Add fusion), or null.</param>
/// <param name="Fused">The layers folded into this step, in order.</param>
/// <param name="Reason">Why the step is shaped so, as the compiler wrote it.</param>
internal sealed record Step(ManifestLayer Layer, string Ident, string Output, bool Relu, string? Residual, IReadOnlyList<ManifestLayer> Fused, string Reason)
{
    /// <summary>The sparse convolution step whose input layout this step writes instead of its output tensor, or null.</summary>
    public Step? Feeds { get; init; }

    /// <summary>Whether the previous sparse convolution wrote this step's input layout (its input tensor is never made).</summary>
    public bool InputFed { get; init; }

    /// <summary>The sparse convolution of the same input this step's fork also runs, on this step's input layout, or null.</summary>
    public Step? Companion { get; init; }

    /// <summary>The step whose fork runs this one (on that step's input layout), or null.</summary>
    public HostStep? RunsWith { get; init; }

    /// <summary>An unrolled convolution's input offset for each weight column it uses; empty otherwise.</summary>
    public IReadOnlyList<TapOffset> Taps { get; init; } = [];

    /// <summary>Flatten and Reshape only relabel a buffer.</summary>
    public bool IsAlias => Layer.Op is "Flatten" or "Reshape";
}

/// <summary>The step that runs a companion convolution: its layer (whose input layout the companion reads) and identifier.</summary>
internal sealed record HostStep(ManifestLayer Layer, string Ident);

/// <summary>
/// The manifest's execution plan (which the compiler's lowering passes decided) with what printing it
/// needs: each step's C# identifier, its links as objects, and each value's buffer field and span.
/// </summary>
internal sealed class GraphPlan
{
    private readonly Dictionary<string, int> _bufferOf = new();
    private readonly Dictionary<string, int> _lengthOf = new();

    private GraphPlan(IReadOnlyList<Step> steps, IReadOnlyList<int> bufferLengths)
    {
        Steps = steps;
        BufferLengths = bufferLengths;
    }

    public IReadOnlyList<Step> Steps { get; }

    /// <summary>Final lengths of the activation buffers, by index.</summary>
    public IReadOnlyList<int> BufferLengths { get; }

    public static GraphPlan Build(ModelSpec model)
    {
        var execution = model.Manifest.Execution;
        var layerOf = model.Layers.ToDictionary(l => l.Name);
        var planned = new HashSet<string>(execution.Steps.Select(s => s.Layer));

        // Identifiers in layer order, so a step moved next to its host keeps the name it would have anyway.
        var taken = new HashSet<string>();
        var identOf = model.Layers.Where(l => planned.Contains(l.Name)).ToDictionary(l => l.Name, l => UniqueIdent(l.Name, taken));
        var bare = execution.Steps.ToDictionary(
            s => s.Layer,
            s => new Step(layerOf[s.Layer], identOf[s.Layer], s.Output, s.Relu, s.Residual, s.Fused.Select(f => layerOf[f]).ToList(), s.Reason) { InputFed = s.InputFed, Taps = s.Taps });
        var steps = execution.Steps.Select(s => bare[s.Layer] with
        {
            Feeds = s.Feeds is { } next ? bare[next] : null,
            Companion = s.Companion is { } companion ? bare[companion] : null,
            RunsWith = s.RunsWith is { } host ? new HostStep(layerOf[host], identOf[host]) : null,
        }).ToList();
        var plan = new GraphPlan(steps, execution.BufferLengths);
        foreach (var value in execution.Values)
        {
            plan._bufferOf[value.Value] = value.Buffer;
            plan._lengthOf[value.Value] = value.Length;
        }

        return plan;
    }

    /// <summary>The field holding <paramref name="value"/>.</summary>
    public string Field(string value) => "_buffer" + Literals.Int(_bufferOf[value]);

    /// <summary>The span of exactly <paramref name="value"/>'s elements.</summary>
    public string Span(string value) => $"{Field(value)}.AsSpan(0, {Literals.Int(_lengthOf[value])})";

    public int Length(string value) => _lengthOf[value];

    private static string UniqueIdent(string name, HashSet<string> taken)
    {
        var chars = name.Select(c => char.IsLetterOrDigit(c) && c < 128 ? c : '_').ToArray();
        var ident = new string(chars);
        if (ident.Length == 0 || char.IsDigit(ident[0]))
        {
            ident = "L" + ident;
        }

        ident = char.ToUpperInvariant(ident[0]) + ident.Substring(1);
        var unique = ident;
        for (var n = 2; !taken.Add(unique); n++)
        {
            unique = ident + "_" + Literals.Int(n);
        }

        return unique;
    }
}
