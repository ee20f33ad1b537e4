using System.Linq;
using Sparsify.Generators.Model;
using Sparsify.Runtime.Kernels;
using Sparsify.Runtime.Manifests;

namespace Sparsify.Generators.Emission;

/// <summary>
/// SparseUnrolled convolutions: per row group, straight-line methods with the input offsets (the plan's
/// taps, which the compiler took from the runtime's ConvInputLayout) as constant displacements and the nonzero weights
/// baked into the assembly at constant addresses. Each tap's input vectors are loaded once and feed the
/// accumulators of up to four rows of the group (register blocking over the locality group's shared pattern).
/// Without AVX and FMA the same taps run through the table-driven driver, built from static data.
/// </summary>
internal static class UnrolledConvEmitter
{
    public static void Emit(EmitContext context, Step step, string geometry)
    {
        var layer = step.Layer;
        var weights = layer.Weights!;
        var conv = (ConvParameters)layer.Parameters;
        var rows = UnrolledLayout.RowsPerGroup(weights, weights.Rows / conv.Group);

        // The plan's offsets, from the runtime's layout (a companion's are into its host's layout).
        var offsets = step.Taps.ToDictionary(t => t.Column, t => t.Offset);
        int Offset(int column) => offsets[column];

        var ident = step.Ident;
        var layoutOf = step.RunsWith is { } host ? $"in Geometry{host.Ident}, " : string.Empty;
        context.Fields.Line($"private readonly SparseConvolutionDriver _driver{ident};");
        EmitLayoutCheck(context, step, geometry);
        context.Constructor
            .Line($"_driver{ident} = Fma.IsSupported")
            .Line($"    ? new SparseConvolutionDriver(in {geometry}, {layoutOf}{Literals.Int(rows)}, TileBody{ident}(), {EmitContext.Bias(step)})")
            .Line($"    : SparseConvolutions.FromCsr(in {geometry}, PortableWeights{ident}(), {EmitContext.Bias(step)}{ConvEmitter.LayoutOf(step)});");

        var groups = UnrolledLayout.Groups(weights, rows);
        var m = context.Members;
        m.Line()
            .Line($"private static unsafe ConvTileBody TileBody{ident}() => Tile{ident};")
            .Line()
            .Line($"/// <summary>{Literals.XmlDoc(layer.Name)}: one (row group, tile) of {Literals.Int(rows)} rows x up to {Literals.Int(64)} pixels.</summary>")
            .Line("[MethodImpl(MethodImplOptions.AggressiveOptimization)]")
            .Open($"private static unsafe void Tile{ident}(int group, float* input, float* tile, int pixels)")
            .Open($"fixed (uint* bits = Weights{ident})")
            .Line("var w = (float*)bits;")
            .Open("switch (group)");
        var chunked = groups.Select(UnrolledLayout.Chunks).ToArray();
        for (var g = 0; g < groups.Length; g++)
        {
            m.Line($"case {Literals.Int(g)}:");
            for (var c = 0; c < chunked[g].Count; c++)
            {
                m.Line($"    Tile{ident}_G{Literals.Int(g)}_{Literals.Int(c)}(input, tile, w, pixels);");
            }

            m.Line("    return;");
        }

        m.Line("default:")
            .Line("    throw new ArgumentOutOfRangeException(nameof(group));")
            .Close()
            .Close()
            .Close();
        var table = new TableWriter($"Weights{ident}");
        for (var g = 0; g < groups.Length; g++)
        {
            for (var c = 0; c < chunked[g].Count; c++)
            {
                EmitChunk(m, $"Tile{ident}_G{Literals.Int(g)}_{Literals.Int(c)}", rows, chunked[g][c], c == 0, Offset, table);
            }
        }

        m.Line()
            .Line($"/// <summary>{Literals.XmlDoc(layer.Name)}'s nonzero weights as IEEE bits, in the order the tile bodies read them.</summary>")
            .Line($"private static ReadOnlySpan<uint> {table.Name} => [{string.Join(", ", table.Bits.Select(b => "0x" + b.ToString("x8", System.Globalization.CultureInfo.InvariantCulture)))}];");
        EmitPortableWeights(m, ident, weights);
    }

    /// <summary>
    /// One method of a row group's taps. Per 16-pixel sub-tile, each block of up to four rows keeps its
    /// 4 x 2 accumulators in registers while the taps go by: per tap two input loads (the offset a
    /// constant displacement) and per row one broadcast of the weight from the layer's table in the
    /// assembly's read-only data (a constant displacement from <c>w</c>). x86 has no floating-point
    /// immediates; a 4-byte broadcast keeps the weights' cache footprint an eighth of 32-byte vector
    /// constants. The bodies call the AVX/FMA intrinsics directly: inlined helper calls would add JIT
    /// temporaries per statement, and past the JIT's tracked-locals limit the accumulators spill.
    /// </summary>
    private static void EmitChunk(CodeWriter m, string name, int rows, System.Collections.Generic.List<Tap> taps, bool first, System.Func<int, int> offset, TableWriter table)
    {
        m.Line()
            .Line("[MethodImpl(MethodImplOptions.AggressiveOptimization)]")
            .Open($"private static unsafe void {name}(float* input, float* tile, float* w, int pixels)");
        m.Open($"for (var p = 0; p < pixels; p += {Literals.Int(SubTilePixels)})")
            .Line("float* x = input + p;")
            .Line("float* t = tile + p;");
        for (var first4 = 0; first4 < rows; first4 += RowsPerBlock)
        {
            var blockRows = System.Math.Min(RowsPerBlock, rows - first4);
            var blockTaps = taps.Select(tap => (tap.Column, Weights: tap.Weights.Where(x => x.Lane >= first4 && x.Lane < first4 + blockRows).ToList()))
                .Where(tap => tap.Weights.Count > 0).ToList();
            m.Open("");
            for (var r = first4; r < first4 + blockRows; r++)
            {
                var at = Literals.Int(r * 64);
                m.Line(first
                    ? $"Vector256<float> a{Literals.Int(r)}0 = Vector256<float>.Zero, a{Literals.Int(r)}1 = Vector256<float>.Zero;"
                    : $"Vector256<float> a{Literals.Int(r)}0 = Avx.LoadVector256(t + {at}), a{Literals.Int(r)}1 = Avx.LoadVector256(t + {Literals.Int((r * 64) + 8)});");
            }

            if (blockTaps.Count > 0)
            {
                m.Line("Vector256<float> v0, v1, b;");
            }

            foreach (var (column, weights) in blockTaps)
            {
                var at = offset(column);
                m.Line($"v0 = Avx.LoadVector256(x + {Literals.Int(at)}); v1 = Avx.LoadVector256(x + {Literals.Int(at + 8)});");
                foreach (var (lane, bits) in weights)
                {
                    var a = "a" + Literals.Int(lane);
                    m.Line($"b = Avx.BroadcastScalarToVector256(w + {Literals.Int(table.Add(bits))}); {a}0 = Fma.MultiplyAdd(v0, b, {a}0); {a}1 = Fma.MultiplyAdd(v1, b, {a}1);");
                }
            }

            for (var r = first4; r < first4 + blockRows; r++)
            {
                m.Line($"Avx.Store(t + {Literals.Int(r * 64)}, a{Literals.Int(r)}0); Avx.Store(t + {Literals.Int((r * 64) + 8)}, a{Literals.Int(r)}1);");
            }

            m.Close();
        }

        m.Close().Close();
    }

    /// <summary>Pixels per pass of a block: two vectors.</summary>
    private const int SubTilePixels = 16;

    /// <summary>Rows whose accumulators a block keeps in registers: 4 rows x 2 vectors, plus 2 inputs and a weight, of 16.</summary>
    private const int RowsPerBlock = 4;

    // A runtime that lays the input out otherwise, or a tampered plan, must throw, never compute with shifted offsets.
    private static void EmitLayoutCheck(EmitContext context, Step step, string geometry)
    {
        var ident = step.Ident;
        var layoutOf = step.RunsWith is { } host ? $"Geometry{host.Ident}" : geometry;
        context.Constructor
            .Open($"if (!ConvInputLayout.For(in {layoutOf}).HasTapOffsets(in {geometry}, TapColumns{ident}, TapOffsets{ident}))")
            .Line($"throw new InvalidOperationException({Literals.String($"layer {step.Layer.Name}: the Sparsify runtime lays out convolution inputs differently from the one this code was generated for; rebuild with matching Sparsify packages")});")
            .Close();
        context.Members.Line()
            .Line($"/// <summary>{Literals.XmlDoc(step.Layer.Name)}: the weight columns the tile bodies read and, below, their offsets in the input layout.</summary>")
            .Line($"private static ReadOnlySpan<int> TapColumns{ident} => {Literals.IntArray(step.Taps.Select(t => t.Column))};")
            .Line()
            .Line($"private static ReadOnlySpan<int> TapOffsets{ident} => {Literals.IntArray(step.Taps.Select(t => t.Offset))};");
    }

    private static void EmitPortableWeights(CodeWriter m, string ident, ManifestWeights weights)
    {
        var rowPointers = new int[weights.Rows + 1];
        foreach (var nz in weights.Unrolled)
        {
            rowPointers[nz.Row + 1]++;
        }

        for (var r = 0; r < weights.Rows; r++)
        {
            rowPointers[r + 1] += rowPointers[r];
        }

        m.Line()
            .Line($"private static CsrLayer PortableWeights{ident}() => new({Literals.Int(weights.Rows)}, {Literals.Int(weights.Columns)}, PortableRows{ident}.ToArray(), PortableColumns{ident}.ToArray(), MemoryMarshal.Cast<uint, float>(PortableBits{ident}).ToArray());")
            .Line()
            .Line($"private static ReadOnlySpan<int> PortableRows{ident} => {Literals.IntArray(rowPointers)};")
            .Line()
            .Line($"private static ReadOnlySpan<int> PortableColumns{ident} => {Literals.IntArray(weights.Unrolled.Select(nz => nz.Column))};")
            .Line()
            .Line($"private static ReadOnlySpan<uint> PortableBits{ident} => [{string.Join(", ", weights.Unrolled.Select(nz => "0x" + nz.Bits.ToString("x8", System.Globalization.CultureInfo.InvariantCulture)))}];");
    }

    /// <summary>A layer's weight table, filled in the order the bodies are emitted.</summary>
    private sealed class TableWriter(string name)
    {
        public string Name { get; } = name;

        public System.Collections.Generic.List<uint> Bits { get; } = [];

        public int Add(uint bits)
        {
            Bits.Add(bits);
            return Bits.Count - 1;
        }
    }
}
