using Sparsify.Runtime.Blob;
using Sparsify.Runtime.Kernels;
using Sparsify.Runtime.Manifests;

namespace Sparsify.Runtime.Tests.Manifests;

/// <summary>Every kind of op parameters goes through the one writer and reader unchanged, and a missing or malformed parameter line is refused at its line.</summary>
[TestClass]
public sealed class ManifestSchemaTests
{
    [TestMethod]
    public void EveryParameterKindRoundTripsExactly()
    {
        var manifest = EveryOp();
        var text = ManifestWriter.Write(manifest);

        Assert.AreEqual(manifest, ManifestReader.Read(text));
        var lines = text.Split('\n');
        foreach (var expected in new[]
        {
            "  kernel 3x3", "  stride 1x1", "  dilation 1x1", "  pads 1,1,1,1", "  group 2", "  ceil-mode false", "  count-include-pad true",
            "  size 3", "  alpha 0.0001/0x38d1b717", "  beta 0.75/0x3f400000", "  axis 1", "  shape 1,-1", "  axis -1", "  coerce-2d false",
        })
        {
            CollectionAssert.Contains(lines, expected);
        }

        Assert.IsFalse(lines.Any(l => l.TrimStart().StartsWith("attr ", StringComparison.Ordinal)), "no free-form attribute lines");
    }

    [TestMethod]
    [DataRow("  group ", "expected 'group'")]
    [DataRow("  count-include-pad ", "expected 'count-include-pad'")]
    [DataRow("  beta ", "expected 'beta'")]
    [DataRow("  shape ", "expected 'shape'")]
    [DataRow("  coerce-2d ", "expected 'coerce-2d'")]
    public void AMissingParameterIsRefusedAtItsLine(string key, string message)
    {
        var lines = ManifestWriter.Write(EveryOp()).TrimEnd('\n').Split('\n').ToList();
        var at = lines.FindIndex(l => l.StartsWith(key, StringComparison.Ordinal));
        lines.RemoveAt(at);

        var e = Assert.ThrowsExactly<ManifestException>(() => ManifestReader.Read(Resign(lines)));
        Assert.AreEqual(ManifestProblem.Malformed, e.Problem);
        Assert.AreEqual(at, e.Line);
        StringAssert.Contains(e.Message, message);
    }

    [TestMethod]
    [DataRow("  alpha ", "  alpha 0.0001", "DECIMAL/0xBITS")]
    [DataRow("  alpha ", "  alpha 0.0001/0x38D1B717", "8 lowercase hex digits")]
    [DataRow("  pads ", "  pads 1,1,1", "TOP,LEFT,BOTTOM,RIGHT")]
    [DataRow("  kernel ", "  kernel 3", "expected AxB")]
    [DataRow("  stride ", "  stride -1x1", "non-negative")]
    [DataRow("  ceil-mode ", "  ceil-mode 1", "true or false")]
    public void AMalformedParameterIsRefusedAtItsLine(string key, string replacement, string message)
    {
        var lines = ManifestWriter.Write(EveryOp()).TrimEnd('\n').Split('\n').ToList();
        var at = lines.FindIndex(l => l.StartsWith(key, StringComparison.Ordinal));
        lines[at] = replacement;

        var e = Assert.ThrowsExactly<ManifestException>(() => ManifestReader.Read(Resign(lines)));
        Assert.AreEqual(at, e.Line);
        StringAssert.Contains(e.Message, message);
    }

    [TestMethod]
    public void ParametersThatReadButCannotRunAreRefusedAtTheLayer()
    {
        var manifest = EveryOp();
        var layers = manifest.Layers.Select(l => l.Name == "conv"
            ? l with { Parameters = new ConvParameters(Window2D.Create(3, 0, Padding2D.Uniform(1)), 2) }
            : l);
        var text = ManifestWriter.Write(manifest with { Layers = new(layers) });

        var e = Assert.ThrowsExactly<ManifestException>(() => ManifestReader.Read(text));
        Assert.AreEqual(ManifestProblem.InvalidLayer, e.Problem);
        Assert.AreEqual("conv", e.Layer);
        Assert.AreEqual(Array.IndexOf(text.Split('\n'), "layer conv"), e.Line);
    }

    [TestMethod]
    public void AnExecutionPlanThatDoesNotFitItsLayersIsRefusedAtTheStep()
    {
        var manifest = EveryOp();
        var plan = manifest.Execution;
        ExecutionStep Step(string layer) => plan.Steps.Single(s => s.Layer == layer);
        Manifest With(params ExecutionStep[] steps) => manifest with { Execution = plan with { Steps = new(steps) } };
        var others = plan.Steps.Where(s => s.Layer is not ("prob" or "sum")).ToArray();

        // A ReLU is the only thing a Softmax cannot be followed by in one step: here an Add is folded into it.
        var foldedAdd = Step("prob") with { Fused = new(["sum"]), Output = "sum" };
        Expect(With([.. others, foldedAdd]), "prob", "cannot be folded");
        Expect(With([.. others, Step("prob")]), null, "layer 'sum' runs in no step");
        Expect(With([.. others, Step("sum"), Step("prob")]), "sum", "reads 'prob' before any step writes it");
        Expect(With([.. others, Step("prob") with { Feeds = "sum" }, Step("sum") with { InputFed = true }]), "prob", "cannot feed 'sum'");
        Expect(With([.. others, Step("prob"), Step("sum") with { RunsWith = "conv" }]), "sum", "must be the next step");
        var ghost = Step("sum") with { Layer = "ghost", InputFed = true };
        Expect(With([.. others, Step("prob") with { Feeds = "ghost" }, ghost]), "prob", "cannot feed 'ghost'");
        var unbuffered = manifest with { Execution = plan with { Values = new(plan.Values.Where(v => v.Value != "lrn")) } };
        Expect(unbuffered, "lrn", "has no buffer");
        var apart = manifest with { Execution = plan with { Values = new(plan.Values.Select(v => v.Value == "flat" ? v with { Buffer = 5 } : v)) } };
        Expect(apart, "flat", "must share it");
    }

    [TestMethod]
    public void ThePerChannelStepAndTheDataMovementsRoundTripExactly()
    {
        var manifest = ChannelOps(new ChannelAffineParameters(new BlobLocation(0, 16, BlobFormat.Fp32), new BlobLocation(16, 16, BlobFormat.Fp32)), new SliceParameters(1, 1, 3), 2);
        var text = ManifestWriter.Write(manifest);

        Assert.AreEqual(manifest, ManifestReader.Read(text));
        var lines = text.Split('\n');
        foreach (var expected in new[] { "  scale-blob 0 16 fp32", "  shift-blob 16 16 fp32", "  epsilon 1E-06/0x358637bd", "  axis 1", "  start 1", "  end 3", "  groups 2" })
        {
            CollectionAssert.Contains(lines, expected);
        }
    }

    [TestMethod]
    [DataRow("scale length", "one fp32 scale and shift per channel")]
    [DataRow("shift outside", "lies outside the 32-byte blob")]
    [DataRow("slice range", "0 <= start < end")]
    [DataRow("shuffle groups", "channels divide into its groups")]
    [DataRow("negative epsilon", "a finite epsilon of at least 0")]
    public void APerChannelStepOrMovementThatCannotRunIsRefusedAtTheLayer(string variant, string message)
    {
        var (scale, shift) = (new BlobLocation(0, 16, BlobFormat.Fp32), new BlobLocation(16, 16, BlobFormat.Fp32));
        var manifest = variant switch
        {
            "scale length" => ChannelOps(new ChannelAffineParameters(scale with { Length = 12 }, shift), new SliceParameters(1, 1, 3), 2),
            "shift outside" => ChannelOps(new ChannelAffineParameters(scale, shift with { Offset = 24 }), new SliceParameters(1, 1, 3), 2),
            "slice range" => ChannelOps(new ChannelAffineParameters(scale, shift), new SliceParameters(1, 3, 5), 2),
            "negative epsilon" => ChannelOps(new ChannelAffineParameters(scale, shift), new SliceParameters(1, 1, 3), 2, epsilon: -1),
            _ => ChannelOps(new ChannelAffineParameters(scale, shift), new SliceParameters(1, 1, 3), 3),
        };
        var text = ManifestWriter.Write(manifest);

        var e = Assert.ThrowsExactly<ManifestException>(() => ManifestReader.Read(text));
        Assert.AreEqual(ManifestProblem.InvalidLayer, e.Problem, e.Message);
        StringAssert.Contains(e.Message, message);
    }

    [TestMethod]
    public void TheFunctionsOfOneValueRoundTripAndABadSlopeIsRefused()
    {
        static Manifest Functions(float alpha)
        {
            var shape = new EquatableList<int>([1, 4]);
            (string Op, LayerParameters Parameters)[] ops = [("LeakyRelu", new LeakyReluParameters(alpha)), .. ManifestOps.UnaryFunctions.Select(f => (f, (LayerParameters)NoParameters.Instance))];
            var layers = ops.Select((o, i) => new ManifestLayer(
                $"f{i}", o.Op, new([i == 0 ? "x" : $"f{i - 1}"]), $"f{i}", new([shape]), shape, o.Parameters, null, LayerExecution.Dense, "test", false)).ToArray();
            var steps = layers.Select(l => new ExecutionStep(l.Name, new([]), l.Output, null, false, null, false, null, null, string.Empty, new([])));
            var values = new[] { new ValueBuffer("x", 0, 4) }.Concat(layers.Select((l, i) => new ValueBuffer(l.Name, i + 1, 4)));
            return new Manifest(
                ManifestFormat.CurrentVersion, "functions", "Functions", ManifestFormat.NoSource, new string('a', 64), 0,
                new([new ManifestValue("x", shape)]), new([new ManifestValue(layers[^1].Name, shape)]), new(layers),
                new ExecutionPlan(new(steps), new(Enumerable.Repeat(4, layers.Length + 1)), new(values)));
        }

        var manifest = Functions(0.2f);
        var text = ManifestWriter.Write(manifest);
        Assert.AreEqual(manifest, ManifestReader.Read(text));
        CollectionAssert.Contains(text.Split('\n'), "  alpha 0.2/0x3e4ccccd");

        var e = Assert.ThrowsExactly<ManifestException>(() => ManifestReader.Read(ManifestWriter.Write(Functions(float.NaN))));
        Assert.AreEqual(ManifestProblem.InvalidLayer, e.Problem, e.Message);
        StringAssert.Contains(e.Message, "a LeakyRelu needs a finite alpha");
    }

    [TestMethod]
    [DataRow("reflect", 1, null)]
    [DataRow("edge", 5, null)]
    [DataRow("reflect", 2, "pads shorter than the side")]
    [DataRow("wrap", 1, "a mode of constant, reflect or edge")]
    public void APadRoundTripsAndOneThatCannotRunIsRefused(string mode, int top, string? problem)
    {
        var input = new EquatableList<int>([1, 2, 2, 3]);
        var text = ManifestWriter.Write(OneLayer("Pad", input, new([1, 2, 2 + top, 3]), new PadParameters(mode, new Padding2D(top, 0, 0, 0), 0.5f)));
        ExpectReadOrRefused(text, $"  pads {top},0,0,0", problem);
    }

    [TestMethod]
    [DataRow(1, 2, true, null)]
    [DataRow(2, 3, false, null)]
    [DataRow(2, 4, false, "a run of axes of its input")]
    [DataRow(3, 2, true, "first at most last")]
    public void AReductionRoundTripsAndOneOutsideItsInputIsRefused(int first, int last, bool keepDims, string? problem)
    {
        var input = new EquatableList<int>([1, 2, 2, 3]);
        var output = new EquatableList<int>(keepDims
            ? input.Select((d, i) => i >= first && i <= last ? 1 : d)
            : input.Where((_, i) => i < first || i > last || last >= input.Count));
        var text = ManifestWriter.Write(OneLayer("ReduceSum", input, output, new ReduceParameters(first, last, keepDims)));
        ExpectReadOrRefused(text, $"  first {first}", problem);
    }

    [TestMethod]
    [DataRow("Sub", new[] { 1, 3, 1, 5 }, new[] { 1, 3, 4, 5 }, null)]
    [DataRow("Pow", new[] { 1, 4, 1 }, new[] { 1, 3, 4, 5 }, null)]
    [DataRow("Add", new[] { 1, 3, 4, 4 }, new[] { 1, 3, 4, 4 }, "whose shapes broadcast")]
    [DataRow("Mod", new[] { 1, 3, 1, 5 }, new[] { 1, 3, 4, 5 }, "a function of Add, Sub, Mul, Div, Pow")]
    public void ABroadcastRoundTripsAndOneWhoseShapesDisagreeIsRefused(string function, int[] second, int[] output, string? problem)
    {
        // The first operand is 1x3x4x5; a 1x3x4x4 second one does not broadcast with it.
        var text = ManifestWriter.Write(OneLayer("Broadcast", new([1, 3, 4, 5]), new(output), new BroadcastParameters(function), new(second)));
        ExpectReadOrRefused(text, $"  function {function}", problem);
    }

    [TestMethod]
    [DataRow(new[] { 0, 2, 3, 1 }, new[] { 1, 4, 5, 3 }, null)]
    [DataRow(new[] { 0, 2, 2, 1 }, new[] { 1, 4, 4, 3 }, "a permutation of its input's axes")]
    [DataRow(new[] { 0, 1, 2 }, new[] { 1, 3, 4 }, "a permutation of its input's axes")]
    public void ATransposeRoundTripsAndOneThatIsNoPermutationIsRefused(int[] perm, int[] output, string? problem)
    {
        var text = ManifestWriter.Write(OneLayer("Transpose", new([1, 3, 4, 5]), new(output), new TransposeParameters(new(perm))));
        ExpectReadOrRefused(text, $"  perm {string.Join(",", perm)}", problem);
    }

    [TestMethod]
    [DataRow(new[] { 1, 5, 3 }, new[] { 1, 4, 3 }, null)]
    [DataRow(new[] { 1, 1, 5, 3 }, new[] { 1, 4, 4, 3 }, null)]
    [DataRow(new[] { 1, 4, 3 }, new[] { 1, 4, 3 }, "[..., M, K] and [..., K, N]")]
    public void AMatMulRoundTripsAndOneWhoseShapesDoNotMultiplyIsRefused(int[] second, int[] output, string? problem)
    {
        // The first operand is 1x4x5 (or broadcast against a 4-D second one).
        var first = new EquatableList<int>(second.Length == 4 ? [1, 4, 4, 5] : [1, 4, 5]);
        var text = ManifestWriter.Write(OneLayer("MatMul", first, new(output), NoParameters.Instance, new(second)));
        ExpectReadOrRefused(text, "layer step", problem);
    }

    // One layer reading the model input x (and a second input z) and writing the model output, each in a buffer of its own.
    private static Manifest OneLayer(string op, EquatableList<int> input, EquatableList<int> output, LayerParameters parameters, EquatableList<int>? second = null)
    {
        var inputs = second is null ? new[] { ("x", input) } : [("x", input), ("z", second)];
        var layer = new ManifestLayer("step", op, new(inputs.Select(i => i.Item1)), "step", new(inputs.Select(i => i.Item2)), output, parameters, null, LayerExecution.Dense, "test", false);
        static int Length(EquatableList<int> shape) => shape.Aggregate(1, (a, d) => a * d);
        var values = inputs.Select((v, i) => new ValueBuffer(v.Item1, i, Length(v.Item2))).Append(new ValueBuffer("step", inputs.Length, Length(output)));
        return new Manifest(
            ManifestFormat.CurrentVersion, "one", "One", ManifestFormat.NoSource, new string('a', 64), 0,
            new(inputs.Select(v => new ManifestValue(v.Item1, v.Item2))), new([new ManifestValue("step", output)]), new([layer]),
            new ExecutionPlan(
                new([new ExecutionStep("step", new([]), "step", null, false, null, false, null, null, string.Empty, new([]))]),
                new(values.Select(v => v.Length)), new(values)));
    }

    private static void ExpectReadOrRefused(string text, string line, string? problem)
    {
        if (problem is null)
        {
            Assert.AreEqual(text, ManifestWriter.Write(ManifestReader.Read(text)));
            CollectionAssert.Contains(text.Split('\n'), line);
            return;
        }

        var e = Assert.ThrowsExactly<ManifestException>(() => ManifestReader.Read(text));
        Assert.AreEqual(ManifestProblem.InvalidLayer, e.Problem, e.Message);
        StringAssert.Contains(e.Message, problem);
    }

    // x (1x4x2x2) → per-channel affine → LayerNorm over the channels → GELU → slice of channels → channel
    // shuffle; a 32-byte blob holds the scales and shifts.
    private static Manifest ChannelOps(ChannelAffineParameters affine, SliceParameters slice, int groups, float epsilon = 1e-6f)
    {
        static EquatableList<int> S(params int[] dims) => new(dims);
        static ManifestLayer Layer(string name, string op, string input, EquatableList<int> shape, EquatableList<int> output, LayerParameters parameters) =>
            new(name, op, new([input]), name, new([shape]), output, parameters, null, LayerExecution.Dense, "test", false);

        var sliced = S(1, slice.End - slice.Start, 2, 2);
        ManifestLayer[] layers =
        [
            Layer("norm", "BatchNormalization", "x", S(1, 4, 2, 2), S(1, 4, 2, 2), affine),
            Layer("ln", "ChannelLayerNorm", "norm", S(1, 4, 2, 2), S(1, 4, 2, 2), new ChannelLayerNormParameters(epsilon, affine.Scale, affine.Shift)),
            Layer("gelu", "Gelu", "ln", S(1, 4, 2, 2), S(1, 4, 2, 2), NoParameters.Instance),
            Layer("part", "Slice", "gelu", S(1, 4, 2, 2), sliced, slice),
            Layer("mixed", "ChannelShuffle", "part", sliced, sliced, new ChannelShuffleParameters(groups)),
        ];
        var steps = layers.Select(l => new ExecutionStep(l.Name, new([]), l.Output, null, false, null, false, null, null, string.Empty, new([])));
        var length = sliced.Aggregate(1, (a, d) => a * d);
        ValueBuffer[] values = [new("x", 0, 16), new("norm", 1, 16), new("ln", 2, 16), new("gelu", 3, 16), new("part", 4, length), new("mixed", 5, length)];
        return new Manifest(
            ManifestFormat.CurrentVersion, "channel-ops", "ChannelOps", ManifestFormat.NoSource, new string('a', 64), 32,
            new([new ManifestValue("x", S(1, 4, 2, 2))]), new([new ManifestValue("mixed", sliced)]), new(layers),
            new ExecutionPlan(new(steps), new([16, 16, 16, 16, length, length]), new(values)));
    }

    private static void Expect(Manifest manifest, string? step, string message)
    {
        var text = ManifestWriter.Write(manifest);
        var e = Assert.ThrowsExactly<ManifestException>(() => ManifestReader.Read(text));
        Assert.AreEqual(ManifestProblem.InvalidStep, e.Problem, e.Message);
        Assert.AreEqual(step, e.Layer, e.Message);
        StringAssert.Contains(e.Message, message);
        if (step is not null)
        {
            Assert.AreEqual(Array.IndexOf(text.Split('\n'), "step " + step), e.Line, e.Message);
        }
    }

    // One layer of every parameter kind, with shapes that follow from them.
    private static Manifest EveryOp()
    {
        static EquatableList<int> S(params int[] dims) => new(dims);
        static ManifestLayer Layer(string name, string op, string[] inputs, EquatableList<int>[] shapes, EquatableList<int> output, LayerParameters parameters, ManifestWeights? weights = null) =>
            new(name, op, new(inputs), name, new(shapes), output, parameters, weights, LayerExecution.Dense, "test", false);

        var convWeights = new ManifestWeights(2, 9, "dense", 0, 18, 1, "dense", new BlobLocation(0, 72, BlobFormat.Fp32), new BlobLocation(80, 8, BlobFormat.Fp32), new([]));
        ManifestLayer[] layers =
        [
            Layer("conv", "Conv", ["x"], [S(1, 2, 8, 8)], S(1, 2, 8, 8), new ConvParameters(Window2D.Create(3, 1, Padding2D.Uniform(1)), 2), convWeights),
            Layer("pool", "AveragePool", ["conv"], [S(1, 2, 8, 8)], S(1, 2, 4, 4), new PoolParameters(Window2D.Create(2, 2, Padding2D.None), false, true)),
            Layer("lrn", "LRN", ["pool"], [S(1, 2, 4, 4)], S(1, 2, 4, 4), new LrnParameters(3, 1e-4f, 0.75f, 1f)),
            Layer("cat", "Concat", ["pool", "lrn"], [S(1, 2, 4, 4), S(1, 2, 4, 4)], S(1, 4, 4, 4), new AxisParameters(1)),
            Layer("flat", "Flatten", ["cat"], [S(1, 4, 4, 4)], S(1, 64), new AxisParameters(1)),
            Layer("shaped", "Reshape", ["flat"], [S(1, 64)], S(1, 64), new ReshapeParameters(new([1L, -1L]))),
            Layer("prob", "Softmax", ["shaped"], [S(1, 64)], S(1, 64), new SoftmaxParameters(-1, false)),
            Layer("sum", "Add", ["prob", "prob"], [S(1, 64), S(1, 64)], S(1, 64), NoParameters.Instance),
        ];

        // One step per layer; Flatten and Reshape relabel the buffer of their input.
        var steps = layers.Select(l => new ExecutionStep(l.Name, new([]), l.Output, null, false, null, false, null, null, string.Empty, new([])));
        int[] lengths = [128, 128, 32, 32, 64, 64, 64];
        ValueBuffer[] values =
        [
            new("x", 0, 128), new("conv", 1, 128), new("pool", 2, 32), new("lrn", 3, 32), new("cat", 4, 64), new("flat", 4, 64),
            new("shaped", 4, 64), new("prob", 5, 64), new("sum", 6, 64),
        ];
        return new Manifest(
            ManifestFormat.CurrentVersion, "every-op", "EveryOp", ManifestFormat.NoSource, new string('a', 64), 96,
            new([new ManifestValue("x", S(1, 2, 8, 8))]), new([new ManifestValue("sum", S(1, 64))]), new(layers),
            new ExecutionPlan(new(steps), new(lengths), new(values)));
    }

    private static string Resign(List<string> lines) => ManifestFormat.Sign(string.Join('\n', lines.Take(lines.Count - 1)) + "\n");
}
