using System.Collections.Generic;
using Sparsify.Generators.Model;

namespace Sparsify.Generators.Emission;

/// <summary>
/// SparseUnrolled Gemm layers (batch 1): per row group, one scalar multiply-add per nonzero with the
/// weight as an immediate and the input index as a constant; a group's rows share each input load.
/// Bias and a fused ReLU are applied as each row's accumulator is stored.
/// </summary>
internal static class UnrolledFullyConnectedEmitter
{
    public static void Emit(EmitContext context, Step step, string input, string output)
    {
        var weights = step.Layer.Weights!;
        var ident = step.Ident;
        var hasBias = weights.BiasBlob is not null;
        var rows = UnrolledLayout.RowsPerGroup(weights, weights.Rows);
        var groups = UnrolledLayout.Groups(weights, rows);

        // Pack whole row groups into methods, splitting a group's taps only when it alone is too big.
        var methods = new List<List<(int Group, List<Tap> Taps, bool First, bool Last)>> { new() };
        var fmas = 0;
        for (var g = 0; g < groups.Length; g++)
        {
            var chunks = UnrolledLayout.Chunks(groups[g]);
            for (var c = 0; c < chunks.Count; c++)
            {
                var count = 0;
                chunks[c].ForEach(t => count += t.Weights.Count);
                if (fmas + count > UnrolledLayout.MaxFmasPerMethod && methods[methods.Count - 1].Count > 0)
                {
                    methods.Add([]);
                    fmas = 0;
                }

                methods[methods.Count - 1].Add((g, chunks[c], c == 0, c == chunks.Count - 1));
                fmas += count;
            }
        }

        var bias = hasBias ? $"_bias{ident}" : "default";
        context.Run.Line($"Gemm{ident}({input}, {bias}, {output});");
        var m = context.Members;
        m.Line()
            .Line($"/// <summary>{Literals.XmlDoc(step.Layer.Name)}: {Literals.Int(weights.Rows)} outputs from {Literals.Int(weights.Columns)} inputs, {Literals.Long(weights.NonZeros).TrimEnd('L')} nonzeros unrolled.</summary>")
            .Open($"private static void Gemm{ident}(ReadOnlySpan<float> x, ReadOnlySpan<float> bias, Span<float> y)")
            .Open($"if (x.Length < {Literals.Int(weights.Columns)} || y.Length < {Literals.Int(weights.Rows)}{(hasBias ? $" || bias.Length < {Literals.Int(weights.Rows)}" : string.Empty)})")
            .Line("throw new ArgumentException(\"span too short\");")
            .Close();
        for (var i = 0; i < methods.Count; i++)
        {
            m.Line($"Gemm{ident}_{Literals.Int(i)}(ref MemoryMarshal.GetReference(x), ref MemoryMarshal.GetReference(bias), ref MemoryMarshal.GetReference(y));");
        }

        m.Close();
        for (var i = 0; i < methods.Count; i++)
        {
            m.Line()
                .Line("[MethodImpl(MethodImplOptions.AggressiveOptimization)]")
                .Open($"private static void Gemm{ident}_{Literals.Int(i)}(ref float x, ref float bias, ref float y)");
            foreach (var (group, taps, first, last) in methods[i])
            {
                EmitGroup(m, rows, group, taps, first, last, hasBias, step.Relu);
            }

            m.Close();
        }
    }

    private static void EmitGroup(CodeWriter m, int rows, int group, List<Tap> taps, bool first, bool last, bool hasBias, bool relu)
    {
        m.Open($"// rows {Literals.Int(group * rows)}..{Literals.Int((group * rows) + rows - 1)}");
        for (var r = 0; r < rows; r++)
        {
            var row = Literals.Int((group * rows) + r);
            var init = !first ? $"Unsafe.Add(ref y, {row})" : hasBias ? $"Unsafe.Add(ref bias, {row})" : "0f";
            m.Line($"float a{Literals.Int(r)} = {init};");
        }

        foreach (var tap in taps)
        {
            m.Line($"{(tap == taps[0] ? "float " : string.Empty)}v = Unsafe.Add(ref x, {Literals.Int(tap.Column)});");
            foreach (var (lane, bits) in tap.Weights)
            {
                m.Line($"a{Literals.Int(lane)} += v * {Literals.Float(bits)};");
            }
        }

        for (var r = 0; r < rows; r++)
        {
            var a = "a" + Literals.Int(r);
            // A NaN fails every comparison: testing "< 0" lets it through the ReLU, as ONNX Runtime does.
            var value = last && relu ? $"{a} < 0f ? 0f : {a}" : a;
            m.Line($"Unsafe.Add(ref y, {Literals.Int((group * rows) + r)}) = {value};");
        }

        m.Close();
    }
}
