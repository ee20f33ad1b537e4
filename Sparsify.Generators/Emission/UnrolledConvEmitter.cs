using System.Linq;
using Sparsify.Generators.Model;
using Sparsify.Generators.Parsing;

namespace Sparsify.Generators.Emission;

/// <summary>
/// SparseUnrolled convolutions: per row group, methods with the nonzero weights as float immediates and
/// the input offsets (the runtime's ConvInputLayout, computed here with the same formula) as int constants.
/// Each tap's input vector is loaded once and feeds the group's G accumulators (register blocking).
/// Without Vector256 hardware the same taps run through the table-driven driver, built from static data.
/// </summary>
internal static class UnrolledConvEmitter
{
    public static void Emit(EmitContext context, Step step, string geometry)
    {
        var layer = step.Layer;
        var weights = layer.Weights!;
        var window = Window.Parse(layer)!;
        var convGroups = LayerChecks.Int(layer.Attr("group"))!.Value;
        var rows = UnrolledLayout.RowsPerGroup(weights, weights.Rows / convGroups);
        var layout = new Layout(window, layer.OutputShape[2], layer.OutputShape[3]);
        var kernelPixels = window.KernelH * window.KernelW;
        int Offset(int column) => layout.Offset(column / kernelPixels, column / window.KernelW % window.KernelH, column % window.KernelW);

        var ident = step.Ident;
        context.Fields.Line($"private readonly SparseConvolutionDriver _driver{ident};");
        EmitLayoutCheck(context, step, geometry, layout, weights, window);
        context.Constructor
            .Line($"_driver{ident} = Vector256.IsHardwareAccelerated")
            .Line($"    ? new SparseConvolutionDriver(in {geometry}, {Literals.Int(rows)}, TileBody{ident}(), {EmitContext.Bias(step)})")
            .Line($"    : SparseConvolutions.FromCsr(in {geometry}, PortableWeights{ident}(), {EmitContext.Bias(step)});");

        var groups = UnrolledLayout.Groups(weights, rows);
        var m = context.Members;
        m.Line()
            .Line($"private static unsafe ConvTileBody TileBody{ident}() => Tile{ident};")
            .Line()
            .Line($"/// <summary>{Literals.Xml(layer.Name)}: one (row group, tile) of {Literals.Int(rows)} rows x {Literals.Int(64)} pixels.</summary>")
            .Line("[MethodImpl(MethodImplOptions.AggressiveOptimization)]")
            .Open($"private static unsafe void Tile{ident}(int group, float* input, float* tile)")
            .Open("switch (group)");
        var chunked = groups.Select(UnrolledLayout.Chunks).ToArray();
        for (var g = 0; g < groups.Length; g++)
        {
            m.Line($"case {Literals.Int(g)}:");
            for (var c = 0; c < chunked[g].Count; c++)
            {
                m.Line($"    Tile{ident}_G{Literals.Int(g)}_{Literals.Int(c)}(input, tile);");
            }

            m.Line("    return;");
        }

        m.Line("default:")
            .Line("    throw new ArgumentOutOfRangeException(nameof(group));")
            .Close()
            .Close();
        for (var g = 0; g < groups.Length; g++)
        {
            for (var c = 0; c < chunked[g].Count; c++)
            {
                EmitChunk(m, $"Tile{ident}_G{Literals.Int(g)}_{Literals.Int(c)}", rows, chunked[g][c], c == 0, Offset);
            }
        }

        EmitPortableWeights(m, ident, weights);
    }

    /// <summary>
    /// Non-generic helpers the tile bodies call: the JIT inlines them, and the compiler binds thousands
    /// of calls to them far faster than to the generic Vector256 methods.
    /// </summary>
    public static void EmitHelpers(CodeWriter m) => m
        .Line()
        .Line("[MethodImpl(MethodImplOptions.AggressiveInlining)]")
        .Line("private static unsafe Vector256<float> Load(float* address) => Vector256.Load(address);")
        .Line()
        .Line("[MethodImpl(MethodImplOptions.AggressiveInlining)]")
        .Line("private static Vector256<float> Fma(Vector256<float> input, float weight, Vector256<float> sum) => Vector256.MultiplyAddEstimate(input, Vector256.Create(weight), sum);");

    private static void EmitChunk(CodeWriter m, string name, int rows, System.Collections.Generic.List<Tap> taps, bool first, System.Func<int, int> offset)
    {
        m.Line()
            .Line("[MethodImpl(MethodImplOptions.AggressiveOptimization)]")
            .Open($"private static unsafe void {name}(float* input, float* tile)")
            .Open("for (var p = 0; p < SparseConvolution.TilePixels; p += Vector256<float>.Count)")
            .Line("float* x = input + p;");
        for (var r = 0; r < rows; r++)
        {
            m.Line(first
                ? $"Vector256<float> a{Literals.Int(r)} = Vector256<float>.Zero;"
                : $"Vector256<float> a{Literals.Int(r)} = Vector256.Load(tile + {Literals.Int(r * 64)} + p);");
        }

        if (taps.Count > 0)
        {
            m.Line("Vector256<float> v;");
        }

        foreach (var tap in taps)
        {
            m.Line($"v = Load(x + {Literals.Int(offset(tap.Column))});");
            foreach (var (lane, bits) in tap.Weights)
            {
                var a = "a" + Literals.Int(lane);
                m.Line($"{a} = Fma(v, {Literals.Float(bits)}, {a});");
            }
        }

        for (var r = 0; r < rows; r++)
        {
            m.Line($"Vector256.Store(a{Literals.Int(r)}, tile + {Literals.Int(r * 64)} + p);");
        }

        m.Close().Close();
    }

    // A mismatched runtime must throw, never compute with shifted offsets.
    private static void EmitLayoutCheck(EmitContext context, Step step, string geometry, Layout layout, WeightsSpec weights, Window window)
    {
        var kernelPixels = window.KernelH * window.KernelW;
        var last = weights.Columns - 1;
        var (c, kh, kw) = (last / kernelPixels, last / window.KernelW % window.KernelH, last % window.KernelW);
        context.Constructor
            .Line($"var layout{step.Ident} = ConvInputLayout.For(in {geometry});")
            .Open($"if (layout{step.Ident}.PlaneStride != {Literals.Int(layout.PlaneStride)} || layout{step.Ident}.Offset(0, 0, 0) != 0 || layout{step.Ident}.Offset({Literals.Int(c)}, {Literals.Int(kh)}, {Literals.Int(kw)}) != {Literals.Int(layout.Offset(c, kh, kw))})")
            .Line($"throw new InvalidOperationException(\"layer {Literals.Xml(step.Layer.Name)}: the Sparsify runtime lays out convolution inputs differently from the one this code was generated for; rebuild with matching Sparsify packages\");")
            .Close();
    }

    private static void EmitPortableWeights(CodeWriter m, string ident, WeightsSpec weights)
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

    /// <summary>The runtime's ConvInputLayout offsets, computed with its documented formula.</summary>
    private sealed class Layout
    {
        private readonly Window _w;
        private readonly int _gridWidth;

        public Layout(Window w, int outHeight, int outWidth)
        {
            _w = w;
            var extraRows = (w.KernelH - 1) * w.DilationH / w.StrideH;
            var extraCols = (w.KernelW - 1) * w.DilationW / w.StrideW;
            _gridWidth = outWidth + extraCols;
            PlaneStride = RoundUp(RoundUp(outHeight * _gridWidth, 64) + (extraRows * _gridWidth) + extraCols, 16);
        }

        public int PlaneStride { get; }

        public int Offset(int channel, int kh, int kw)
        {
            var r = kh * _w.DilationH;
            var s = kw * _w.DilationW;
            return ((((channel * _w.StrideH) + (r % _w.StrideH)) * _w.StrideW) + (s % _w.StrideW)) * PlaneStride + (r / _w.StrideH * _gridWidth) + (s / _w.StrideW);
        }

        private static int RoundUp(int value, int multiple) => (value + multiple - 1) / multiple * multiple;
    }
}
