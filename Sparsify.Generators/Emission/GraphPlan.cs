using System.Collections.Generic;
using System.Linq;
using Sparsify.Generators.Model;
using Sparsify.Runtime.Manifests;

namespace Sparsify.Generators.Emission;

/// <summary>One unit of generated work: a layer plus the layers fused into its epilogue.</summary>
/// <param name="Layer">The layer that does the work.</param>
/// <param name="Ident">A C# identifier fragment unique in the class.</param>
/// <param name="Output">The value the step writes (the last fused layer's output).</param>
/// <param name="Relu">Whether a ReLU is fused.</param>
/// <param name="Residual">The value added before the ReLU (Conv→Add fusion), or null.</param>
/// <param name="Fused">The layers folded into this step, in order.</param>
internal sealed record Step(ManifestLayer Layer, string Ident, string Output, bool Relu, string? Residual, IReadOnlyList<ManifestLayer> Fused)
{
    /// <summary>The sparse convolution step whose input layout this step writes instead of its output tensor, or null.</summary>
    public Step? Feeds { get; init; }

    /// <summary>Whether the previous sparse convolution wrote this step's input layout (its input tensor is never made).</summary>
    public bool InputFed { get; init; }

    /// <summary>The sparse convolution of the same input this step's fork also runs, on this step's input layout, or null.</summary>
    public Step? Companion { get; init; }

    /// <summary>The step whose fork runs this one (on that step's input layout), or null.</summary>
    public HostStep? RunsWith { get; init; }

    /// <summary>Flatten and Reshape only relabel a buffer.</summary>
    public bool IsAlias => Layer.Op is "Flatten" or "Reshape";
}

/// <summary>The step that runs a companion convolution: its layer (whose input layout the companion reads) and identifier.</summary>
internal sealed record HostStep(ManifestLayer Layer, string Ident);

/// <summary>
/// Decides fusion (Conv→ReLU, Conv→Add→ReLU, Gemm→ReLU, Add→ReLU when the intermediate has one reader
/// and is no graph output) and assigns activation buffers, reusing one once every value in it is dead.
/// </summary>
internal sealed class GraphPlan
{
    private readonly Dictionary<string, int> _bufferOf = new();
    private readonly Dictionary<string, int> _lengthOf = new();

    private GraphPlan(IReadOnlyList<Step> steps) => Steps = steps;

    public IReadOnlyList<Step> Steps { get; }

    /// <summary>Final lengths of the activation buffers, by index.</summary>
    public List<int> BufferLengths { get; } = [];

    public static GraphPlan Build(ModelSpec model)
    {
        var plan = new GraphPlan(Chain(model, Pair(Fuse(model))));
        plan.AssignBuffers(model);
        return plan;
    }

    /// <summary>The field holding <paramref name="value"/>.</summary>
    public string Field(string value) => "_buffer" + Literals.Int(_bufferOf[value]);

    /// <summary>The span of exactly <paramref name="value"/>'s elements.</summary>
    public string Span(string value) => $"{Field(value)}.AsSpan(0, {Literals.Int(_lengthOf[value])})";

    public int Length(string value) => _lengthOf[value];

    private static List<Step> Fuse(ModelSpec model)
    {
        var readers = new Dictionary<string, List<int>>();
        var producer = new Dictionary<string, int>();
        for (var i = 0; i < model.Layers.Count; i++)
        {
            producer[model.Layers[i].Output] = i;
            foreach (var input in model.Layers[i].Inputs)
            {
                if (!readers.TryGetValue(input, out var list))
                {
                    readers[input] = list = [];
                }

                list.Add(i);
            }
        }

        var outputs = new HashSet<string>(model.Outputs.Select(o => o.Name));
        ManifestLayer? SoleReader(string value, string op)
        {
            if (outputs.Contains(value) || !readers.TryGetValue(value, out var r) || r.Count != 1)
            {
                return null;
            }

            var reader = model.Layers[r[0]];
            return reader.Op == op ? reader : null;
        }

        var consumed = new HashSet<string>();
        var steps = new List<Step>();
        var idents = new HashSet<string>();
        for (var i = 0; i < model.Layers.Count; i++)
        {
            var layer = model.Layers[i];
            if (consumed.Contains(layer.Name))
            {
                continue;
            }

            var fused = new List<ManifestLayer>();
            string output = layer.Output;
            string? residual = null;
            var relu = false;
            if (layer.Op == "Conv" && SoleReader(output, "Add") is { } add)
            {
                var other = add.Inputs[0] == output ? add.Inputs[1] : add.Inputs[0];

                // The residual must exist before the convolution runs.
                if (other != output && (!producer.TryGetValue(other, out var p) || p < i))
                {
                    residual = other;
                    fused.Add(add);
                    output = add.Output;
                }
            }

            if (layer.Op is "Conv" or "Gemm" or "Add" && SoleReader(output, "Relu") is { } reluLayer)
            {
                relu = true;
                fused.Add(reluLayer);
                output = reluLayer.Output;
            }

            foreach (var f in fused)
            {
                consumed.Add(f.Name);
            }

            steps.Add(new Step(layer, UniqueIdent(layer.Name, idents), output, relu, residual, fused));
        }

        return steps;
    }

    /// <summary>
    /// Sparse convolution → sparse convolution with nothing else reading the tensor between them (a
    /// ResNet block's first convolution into its second, its second into the next block's first): the
    /// first writes the second's input layout, and the tensor is never made. The second must read at
    /// stride 1 or 2 without dilation, and not a 1×1 unpadded window at stride 1, whose layout may be the
    /// tensor itself. A companion reads its host's layout, so its read of the tensor does not count;
    /// a companion neither feeds nor is fed (its call is its host's).
    /// </summary>
    private static List<Step> Chain(ModelSpec model, List<Step> steps)
    {
        var outputs = new HashSet<string>(model.Outputs.Select(o => o.Name));
        var readers = new Dictionary<string, int>();
        foreach (var step in steps.Where(s => s.RunsWith is null))
        {
            foreach (var value in step.Layer.Inputs.Concat(step.Residual is null ? [] : new[] { step.Residual }))
            {
                readers[value] = readers.TryGetValue(value, out var n) ? n + 1 : 1;
            }
        }

        for (var i = 0; i < steps.Count; i++)
        {
            var first = steps[i];
            if (!IsSparseConv(first) || first.RunsWith is not null || outputs.Contains(first.Output) || !readers.TryGetValue(first.Output, out var count) || count != 1)
            {
                continue;
            }

            var j = steps.FindIndex(i + 1, s => s.RunsWith is null && s.Layer.Inputs.Count > 0 && s.Layer.Inputs[0] == first.Output && s.Residual != first.Output);
            if (j < 0 || !IsSparseConv(steps[j]) || !CanBeFed(steps[j].Layer))
            {
                continue;
            }

            steps[j] = steps[j] with { InputFed = true };
            steps[i] = first with { Feeds = steps[j] };
        }

        return steps;
    }

    /// <summary>
    /// Two sparse convolutions of the same tensor where one's input layout holds every tap of the other
    /// (a ResNet block's 3×3 stride-2 convolution and its 1×1 stride-2 projection shortcut) run in one fork:
    /// the layout is filled once. The pair runs where the host was; a companion listed before it moves
    /// down unless a step between reads its output, one listed after moves up (its input exists already).
    /// The companion neither feeds, nor is fed, nor adds a residual.
    /// </summary>
    private static List<Step> Pair(List<Step> steps)
    {
        for (var h = 0; h < steps.Count; h++)
        {
            var host = steps[h];
            if (!IsSparseConv(host) || host.InputFed || host.Companion is not null || host.RunsWith is not null)
            {
                continue;
            }

            var c = steps.FindIndex(s => !ReferenceEquals(s, host) && IsSparseConv(s) && !s.InputFed && s.Feeds is null && s.Residual is null
                && s.Companion is null && s.RunsWith is null && s.Layer.Inputs[0] == host.Layer.Inputs[0] && CanHost(host.Layer, s.Layer));
            if (c < 0 || (c < h && steps.Skip(c + 1).Take(h - c - 1).Any(s => Reads(s).Contains(steps[c].Output))))
            {
                continue;
            }

            var companion = steps[c] with { RunsWith = new HostStep(host.Layer, host.Ident) };
            steps.RemoveAt(c);
            h = c < h ? h - 1 : h;
            steps.Insert(h, companion);
            h++;
            steps[h] = host with { Companion = companion };
        }

        return steps;
    }

    /// <summary>
    /// The runtime's ConvInputLayout.CanHost: the same input, stride, output size and conv groups, and
    /// every tap of the guest's window at a tap of the host's.
    /// </summary>
    public static bool CanHost(ManifestLayer host, ManifestLayer guest)
    {
        if (Shapes.WindowOf(host) is not { } h || Shapes.WindowOf(guest) is not { } g || !host.InputShapes[0].Equals(guest.InputShapes[0])
            || h.StrideH != g.StrideH || h.StrideW != g.StrideW
            || host.OutputShape[2] != guest.OutputShape[2] || host.OutputShape[3] != guest.OutputShape[3]
            || Shapes.GroupsOf(host) != Shapes.GroupsOf(guest))
        {
            return false;
        }

        return Enumerable.Range(0, g.KernelH).All(k => HostTap(k, g.DilationH, g.Pads.Top, h.DilationH, h.Pads.Top, h.KernelH) >= 0)
            && Enumerable.Range(0, g.KernelW).All(k => HostTap(k, g.DilationW, g.Pads.Left, h.DilationW, h.Pads.Left, h.KernelW) >= 0);
    }

    /// <summary>The host's tap reading the padded row (column) the guest's tap k reads for the same output pixel, or -1.</summary>
    public static int HostTap(int k, int guestDilation, int guestPad, int dilation, int pad, int kernel)
    {
        var r = (k * guestDilation) - guestPad + pad;
        return r >= 0 && r % dilation == 0 && r / dilation < kernel ? r / dilation : -1;
    }

    private static bool IsSparseConv(Step step) => step.Layer.Op == "Conv" && step.Layer.Plan is LayerExecution.SparseTable or LayerExecution.SparseUnrolled;

    /// <summary>The runtime's CanFeed: stride 1 or 2, no dilation, a copied layout, every input value with a place in the planes.</summary>
    private static bool CanBeFed(ManifestLayer layer)
    {
        var x = layer.InputShapes[0];
        var y = layer.OutputShape;
        if (Shapes.WindowOf(layer) is not { } w || w.StrideH is not (1 or 2) || w.StrideW is not (1 or 2) || w.DilationH != 1 || w.DilationW != 1
            || (w.StrideH == 1 && w.StrideW == 1 && w.KernelH == 1 && w.KernelW == 1 && w.Pads.Top == 0 && w.Pads.Left == 0))
        {
            return false;
        }

        var extraCols = (w.KernelW - 1) / w.StrideW;
        var gridWidth = w.StrideW != 1 ? y[3] + extraCols : System.Math.Max(y[3], System.Math.Max(y[3] + extraCols - w.Pads.Left, w.Pads.Left + x[3]));
        return (x[2] - 1 + w.Pads.Top) / w.StrideH < y[2] + ((w.KernelH - 1) / w.StrideH)
            && (x[3] - 1 + w.Pads.Left) / w.StrideW < gridWidth;
    }

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

    private void AssignBuffers(ModelSpec model)
    {
        var lastUse = new Dictionary<string, int>();
        var outputs = new HashSet<string>(model.Outputs.Select(o => o.Name));
        for (var s = 0; s < Steps.Count; s++)
        {
            foreach (var read in Reads(Steps[s]))
            {
                lastUse[read] = s;
            }
        }

        int LastUse(string value) => outputs.Contains(value) ? int.MaxValue : lastUse.TryGetValue(value, out var u) ? u : -1;

        var members = new List<List<string>>();
        var free = new List<int>();
        int Allocate(string value, int length)
        {
            _lengthOf[value] = length;

            // Best fit among free buffers, else grow the largest, else a new one.
            var pick = free.Where(b => BufferLengths[b] >= length).OrderBy(b => BufferLengths[b]).ThenBy(b => b).Cast<int?>().FirstOrDefault()
                ?? free.OrderByDescending(b => BufferLengths[b]).ThenBy(b => b).Cast<int?>().FirstOrDefault();
            if (pick is { } b)
            {
                free.Remove(b);
                BufferLengths[b] = System.Math.Max(BufferLengths[b], length);
                members[b].Clear();
            }
            else
            {
                b = BufferLengths.Count;
                BufferLengths.Add(length);
                members.Add([]);
            }

            members[b].Add(value);
            _bufferOf[value] = b;
            return b;
        }

        foreach (var input in model.Inputs)
        {
            Allocate(input.Name, input.Shape.ElementsAtBatchOne());
        }

        for (var s = 0; s < Steps.Count; s++)
        {
            var step = Steps[s];
            var length = step.Layer.OutputShape.ElementsAtBatchOne();
            if (step.IsAlias)
            {
                var b = _bufferOf[step.Layer.Inputs[0]];
                _bufferOf[step.Output] = b;
                _lengthOf[step.Output] = length;
                members[b].Add(step.Output);
            }
            else
            {
                Allocate(step.Output, length);
            }

            for (var b = 0; b < members.Count; b++)
            {
                if (!free.Contains(b) && members[b].Count > 0 && members[b].All(v => LastUse(v) <= s))
                {
                    free.Add(b);
                }
            }
        }
    }

    private static IEnumerable<string> Reads(Step step)
    {
        var produced = new HashSet<string> { step.Layer.Output };
        foreach (var f in step.Fused)
        {
            produced.Add(f.Output);
        }

        return step.Layer.Inputs.Concat(step.Fused.SelectMany(f => f.Inputs)).Where(v => !produced.Contains(v)).Distinct();
    }
}
