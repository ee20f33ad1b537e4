using Sparsify.Core.Compilation;
using Sparsify.Core.Compilation.Lowering;
using Sparsify.Runtime.Blob;
using Sparsify.Runtime.Kernels;
using Sparsify.Runtime.Manifests;

namespace Sparsify.Core.Tests.Compilation;

/// <summary>Each lowering pass on small hand-built graphs: what it folds, chains, pairs and shares, and what it leaves alone.</summary>
[TestClass]
public sealed class ExecutionLoweringTests
{
    private static readonly Window2D Same3x3 = Window2D.Create(3, 1, Padding2D.Uniform(1));

    [TestMethod]
    public void AResidualAddAndItsReluFoldIntoTheConvolution()
    {
        var plan = Lower(
        [
            Conv("conv", "x", [1, 4, 6, 6], [1, 4, 6, 6], Same3x3, LayerExecution.Dense),
            Op("add", "Add", ["conv", "x"], [[1, 4, 6, 6], [1, 4, 6, 6]], [1, 4, 6, 6]),
            Op("relu", "Relu", ["add"], [[1, 4, 6, 6]], [1, 4, 6, 6]),
        ], output: "relu");

        var step = plan.Steps.Single();
        Assert.AreEqual("conv", step.Layer);
        CollectionAssert.AreEqual(new[] { "add", "relu" }, step.Fused.ToArray());
        Assert.AreEqual("x", step.Residual);
        Assert.IsTrue(step.Relu);
        Assert.AreEqual("relu", step.Output);
        StringAssert.Contains(step.Reason, "fused: add (Add) -> relu (Relu)");
    }

    [TestMethod]
    [DataRow("Clip")]
    [DataRow("LeakyRelu")]
    [DataRow("HardSigmoid")]
    [DataRow("Sigmoid")]
    [DataRow("Tanh")]
    public void AnyEpilogueActivationFoldsIntoAConvolutionAfterItsResidual(string op)
    {
        LayerParameters parameters = op switch
        {
            "Clip" => new ClipParameters(0f, 6f),
            "LeakyRelu" => new LeakyReluParameters(0.1f),
            "HardSigmoid" => new HardSigmoidParameters(1f / 6, 0.5f),
            _ => NoParameters.Instance,
        };
        var plan = Lower(
        [
            Conv("conv", "x", [1, 4, 6, 6], [1, 4, 6, 6], Same3x3, LayerExecution.SparseTable),
            Op("add", "Add", ["conv", "x"], [[1, 4, 6, 6], [1, 4, 6, 6]], [1, 4, 6, 6]),
            Op("act", op, ["add"], [[1, 4, 6, 6]], [1, 4, 6, 6], parameters),
        ], output: "act");

        var step = plan.Steps.Single();
        CollectionAssert.AreEqual(new[] { "add", "act" }, step.Fused.ToArray());
        Assert.AreEqual("x", step.Residual);
        Assert.IsFalse(step.Relu, "the folded activation is not a ReLU");
        Assert.AreEqual("act", step.Output);

        // A back end whose epilogue has ReLU alone runs the activation after the step.
        var layers = new Dictionary<string, ManifestLayer> { ["add"] = Op("add", "Add", ["conv", "x"], [[1, 4, 6, 6], [1, 4, 6, 6]], [1, 4, 6, 6]), ["act"] = Op("act", op, ["add"], [[1, 4, 6, 6]], [1, 4, 6, 6], parameters) };
        var (without, after) = step.WithReluEpilogueOnly(layers);
        CollectionAssert.AreEqual(new[] { "add" }, without.Fused.ToArray());
        Assert.AreEqual("add", without.Output);
        var alone = after.Single();
        Assert.AreEqual("act", alone.Layer);
        Assert.AreEqual("act", alone.Output);
        Assert.IsEmpty(alone.Fused);
    }

    [TestMethod]
    [DataRow("HardSigmoid", true)]
    [DataRow("Sigmoid", false)]
    public void AValueTimesItsOwnGateFoldsIntoTheConvolution(string gateOp, bool gateFirst)
    {
        LayerParameters parameters = gateOp == "HardSigmoid" ? new HardSigmoidParameters(1f / 6, 0.5f) : NoParameters.Instance;
        var gate = Op("gate", gateOp, ["conv"], [[1, 4, 6, 6]], [1, 4, 6, 6], parameters);
        var mul = Op("mul", "Mul", gateFirst ? ["gate", "conv"] : ["conv", "gate"], [[1, 4, 6, 6], [1, 4, 6, 6]], [1, 4, 6, 6]);
        var conv = Conv("conv", "x", [1, 4, 6, 6], [1, 4, 6, 6], Same3x3, LayerExecution.Dense);
        var plan = Lower([conv, gate, mul], output: "mul");

        var step = plan.Steps.Single();
        CollectionAssert.AreEqual(new[] { "gate", "mul" }, step.Fused.ToArray());
        Assert.AreEqual("mul", step.Output);
        Assert.IsFalse(step.Relu);

        var (without, after) = step.WithReluEpilogueOnly(new Dictionary<string, ManifestLayer> { ["gate"] = gate, ["mul"] = mul });
        Assert.IsEmpty(without.Fused);
        Assert.AreEqual("conv", without.Output);
        CollectionAssert.AreEqual(new[] { "gate", "mul" }, after.Select(s => s.Layer).ToArray());

        // A gate whose value is read elsewhere too, or whose Mul multiplies something else, stays apart.
        var reread = Lower([conv, gate, mul, Op("add", "Add", ["mul", "conv"], [[1, 4, 6, 6], [1, 4, 6, 6]], [1, 4, 6, 6])], output: "add");
        Assert.IsEmpty(reread.Steps[0].Fused);
        var other = Lower([conv, gate, Op("mul", "Mul", ["gate", "x"], [[1, 4, 6, 6], [1, 4, 6, 6]], [1, 4, 6, 6])], output: "mul");
        CollectionAssert.AreEqual(new[] { "gate" }, other.Steps[0].Fused.ToArray(), "the gate alone is an activation of its own");
    }

    [TestMethod]
    [DataRow("none")]
    [DataRow("Relu")]
    [DataRow("SiLU")]
    public void ASqueezeAndExcitationBlockFoldsIntoItsPool(string squeezeActivation)
    {
        var block = SqueezeExcitation(squeezeActivation, LayerExecution.Dense);
        var plan = Lower(block, output: "scale");

        var step = plan.Steps.Single();
        Assert.AreEqual("pool", step.Layer);
        CollectionAssert.AreEqual(block.Skip(1).Select(l => l.Name).ToArray(), step.Fused.ToArray());
        Assert.AreEqual("scale", step.Output);
        Assert.IsFalse(step.Relu);
        Assert.IsNull(step.Residual);
        Assert.AreEqual(16 * 25, plan.Values.Single(v => v.Value == "scale").Length, "the step's output is the Mul's, x's shape");

        // A back end without the block runs its layers one by one.
        var (without, after) = step.WithReluEpilogueOnly(block.ToDictionary(l => l.Name));
        Assert.IsEmpty(without.Fused);
        Assert.AreEqual("pool", without.Output);
        CollectionAssert.AreEqual(block.Skip(1).Select(l => l.Name).ToArray(), after.Select(s => s.Layer).ToArray());
        Assert.IsTrue(after.All(s => s.Fused.Count == 0 && !s.Relu));
    }

    [TestMethod]
    public void ASqueezeAndExcitationBlockWithASparseConvolutionOrAnotherReaderStaysApart()
    {
        var sparse = Lower(SqueezeExcitation("Relu", LayerExecution.SparseTable), output: "scale");
        Assert.IsEmpty(sparse.Steps[0].Fused, "a sparse squeeze runs as its own step");
        Assert.AreEqual("pool", sparse.Steps[0].Layer);

        var layers = SqueezeExcitation("Relu", LayerExecution.Dense).ToList();
        layers.Add(Op("other", "Mul", ["scale", "factors"], [[1, 16, 5, 5], [1, 16, 1, 1]], [1, 16, 5, 5]));
        var reread = Lower([.. layers], output: "other");
        Assert.IsEmpty(reread.Steps[0].Fused, "the factors are read outside the block");

        // The checks refuse a block whose Mul scales another value than the pool's input.
        var manifest = Manifest(SqueezeExcitation("Relu", LayerExecution.Dense), "scale");
        var plan = ExecutionLowering.Lower(manifest);
        var wrong = manifest with
        {
            Layers = new(manifest.Layers.Select(l => l.Name == "scale" ? l with { Inputs = new(["factors", "factors"]) } : l)),
            Execution = plan,
        };
        StringAssert.Contains(ExecutionChecks.FirstProblem(wrong)!.Value.Text, "must be a squeeze-and-excitation block");
    }

    [TestMethod]
    public void OnlyAReluFoldsIntoAFullyConnectedLayerOrAnAdd()
    {
        var plan = Lower(
        [
            Conv("conv", "x", [1, 4, 6, 6], [1, 4, 6, 6], Same3x3, LayerExecution.Dense),
            Op("relu", "Relu", ["conv"], [[1, 4, 6, 6]], [1, 4, 6, 6]),
            Op("add", "Add", ["relu", "x"], [[1, 4, 6, 6], [1, 4, 6, 6]], [1, 4, 6, 6]),
            Op("clip", "Clip", ["add"], [[1, 4, 6, 6]], [1, 4, 6, 6], new ClipParameters(0f, 6f)),
        ], output: "clip");

        CollectionAssert.AreEqual(new[] { "conv", "add", "clip" }, plan.Steps.Select(s => s.Layer).ToArray());
        Assert.IsTrue(plan.Steps[0].Relu);
        Assert.IsEmpty(plan.Steps[1].Fused, "an Add's epilogue has ReLU only");
        Assert.IsEmpty(plan.Steps[0].WithReluEpilogueOnly(new Dictionary<string, ManifestLayer>()).After, "a ReLU stays folded");
    }

    [TestMethod]
    public void AValueWithTwoReadersOrAModelOutputIsNotFolded()
    {
        var twoReaders = Lower(
        [
            Conv("conv", "x", [1, 4, 6, 6], [1, 4, 6, 6], Same3x3, LayerExecution.Dense),
            Op("relu", "Relu", ["conv"], [[1, 4, 6, 6]], [1, 4, 6, 6]),
            Op("add", "Add", ["relu", "conv"], [[1, 4, 6, 6], [1, 4, 6, 6]], [1, 4, 6, 6]),
        ], output: "add");
        Assert.IsEmpty(twoReaders.Steps[0].Fused, "conv's output is read twice");
        CollectionAssert.AreEqual(new[] { "conv", "relu", "add" }, twoReaders.Steps.Select(s => s.Layer).ToArray());

        var output = Lower(
        [
            Conv("conv", "x", [1, 4, 6, 6], [1, 4, 6, 6], Same3x3, LayerExecution.Dense),
            Op("relu", "Relu", ["conv"], [[1, 4, 6, 6]], [1, 4, 6, 6]),
        ], output: "conv", extraOutput: "relu");
        Assert.IsEmpty(output.Steps[0].Fused, "a model output is made");
    }

    [TestMethod]
    public void ASparseConvolutionWritesTheNextOnesInputLayoutOnlyWhenBothAreSparse()
    {
        ManifestLayer[] Chain(LayerExecution second) =>
        [
            Conv("a", "x", [1, 4, 6, 6], [1, 4, 6, 6], Same3x3, LayerExecution.SparseTable),
            Op("relu", "Relu", ["a"], [[1, 4, 6, 6]], [1, 4, 6, 6]),
            Conv("b", "relu", [1, 4, 6, 6], [1, 4, 6, 6], Same3x3, second),
        ];

        var chained = Lower(Chain(LayerExecution.SparseUnrolled), output: "b");
        Assert.AreEqual("b", chained.Steps[0].Feeds);
        Assert.IsTrue(chained.Steps[1].InputFed);
        StringAssert.Contains(chained.Steps[0].Reason, "written into b's input layout");

        var dense = Lower(Chain(LayerExecution.Dense), output: "b");
        Assert.IsNull(dense.Steps[0].Feeds);
        Assert.IsFalse(dense.Steps[1].InputFed);
    }

    [TestMethod]
    public void AProjectionShortcutRunsBesideTheStrideTwoConvolutionOnItsLayout()
    {
        var plan = Lower(
        [
            Conv("shortcut", "x", [1, 4, 8, 8], [1, 4, 4, 4], Window2D.Create(1, 2, Padding2D.None), LayerExecution.SparseTable),
            Conv("main", "x", [1, 4, 8, 8], [1, 4, 4, 4], Window2D.Create(3, 2, Padding2D.Uniform(1)), LayerExecution.SparseTable),
            Op("add", "Add", ["main", "shortcut"], [[1, 4, 4, 4], [1, 4, 4, 4]], [1, 4, 4, 4]),
        ], output: "add");

        CollectionAssert.AreEqual(new[] { "shortcut", "main" }, plan.Steps.Select(s => s.Layer).ToArray());
        Assert.AreEqual("main", plan.Steps[0].RunsWith);
        Assert.AreEqual("shortcut", plan.Steps[1].Companion);
        Assert.AreEqual("shortcut", plan.Steps[1].Residual, "the shortcut's output exists when the host's epilogue adds it");
    }

    [TestMethod]
    public void AnUnrolledConvolutionsTapsAreItsLayoutsOffsetsAndACompanionsAreItsHosts()
    {
        var shortcutWindow = Window2D.Create(1, 2, Padding2D.None);
        var mainWindow = Window2D.Create(3, 2, Padding2D.Uniform(1));
        var plan = Lower(
        [
            Unrolled(Conv("shortcut", "x", [1, 4, 8, 8], [1, 4, 4, 4], shortcutWindow, LayerExecution.SparseUnrolled), [3, 0, 2]),
            Unrolled(Conv("main", "x", [1, 4, 8, 8], [1, 4, 4, 4], mainWindow, LayerExecution.SparseUnrolled), [35, 4, 4, 17]),
            Op("add", "Add", ["main", "shortcut"], [[1, 4, 4, 4], [1, 4, 4, 4]], [1, 4, 4, 4]),
        ], output: "add");

        var main = plan.Steps.Single(s => s.Layer == "main");
        var shortcut = plan.Steps.Single(s => s.Layer == "shortcut");
        Assert.AreEqual("main", shortcut.RunsWith);
        CollectionAssert.AreEqual(new[] { 4, 17, 35 }, main.Taps.Select(t => t.Column).ToArray(), "each used column once, ascending");
        CollectionAssert.AreEqual(new[] { 0, 2, 3 }, shortcut.Taps.Select(t => t.Column).ToArray());
        var mainGeometry = new ConvGeometry(1, 4, 8, 8, 4, 4, 4, 3, 3, 2, 2, 1, 1, 1, 1, 1);
        var layout = ConvInputLayout.For(mainGeometry);
        foreach (var tap in main.Taps)
        {
            Assert.AreEqual(layout.Offset(tap.Column / 9, tap.Column / 3 % 3, tap.Column % 3), tap.Offset, $"main column {tap.Column}");
        }

        // The 1x1 shortcut reads the 3x3 window's centre of the host's layout.
        foreach (var tap in shortcut.Taps)
        {
            Assert.AreEqual(layout.Offset(tap.Column, 1, 1), tap.Offset, $"shortcut column {tap.Column}");
        }
    }

    [TestMethod]
    public void ADeadValuesBufferIsReusedAndAFlattenSharesItsInputs()
    {
        var plan = Lower(
        [
            Conv("a", "x", [1, 4, 6, 6], [1, 4, 6, 6], Same3x3, LayerExecution.Dense),
            Conv("b", "a", [1, 4, 6, 6], [1, 4, 6, 6], Same3x3, LayerExecution.Dense),
            Conv("c", "b", [1, 4, 6, 6], [1, 4, 6, 6], Same3x3, LayerExecution.Dense),
            Op("flat", "Flatten", ["c"], [[1, 4, 6, 6]], [1, 144], new AxisParameters(1)),
        ], output: "flat");

        int BufferOf(string value) => plan.Values.Single(v => v.Value == value).Buffer;
        Assert.AreEqual(BufferOf("x"), BufferOf("b"), "x is dead once a has run");
        Assert.AreNotEqual(BufferOf("a"), BufferOf("b"));
        Assert.AreEqual(BufferOf("c"), BufferOf("flat"));
        Assert.HasCount(2, plan.BufferLengths);
    }

    [TestMethod]
    public void EveryLoweredPlanPassesTheReadersChecks()
    {
        foreach (var model in new[] { Training.Models.ModelBuilders.LeNet5(), Training.Models.ModelBuilders.AlexNet() })
        {
            var compiled = ModelCompiler.Compile(model, new CompileOptions { Sparsity = 0.9, Scheme = "locality" });
            Assert.AreEqual(compiled.Manifest.Execution, ManifestReader.Read(compiled.ManifestText).Execution);
            StringAssert.Contains(compiled.Report.ToText(), "execution: ");
        }
    }

    private static ExecutionPlan Lower(ManifestLayer[] layers, string output, string? extraOutput = null)
    {
        var manifest = Manifest(layers, output, extraOutput);
        var plan = ExecutionLowering.Lower(manifest);

        // What the passes produce is what the reader accepts.
        Assert.AreEqual(plan, ManifestReader.Read(ManifestWriter.Write(manifest with { Execution = plan })).Execution);
        return plan;
    }

    private static Manifest Manifest(ManifestLayer[] layers, string output, string? extraOutput = null)
    {
        var input = layers[0].InputShapes[0];
        ManifestValue Out(string name) => new(name, layers.Single(l => l.Output == name).OutputShape);
        var outputs = extraOutput is null ? new[] { Out(output) } : [Out(output), Out(extraOutput)];
        return new Manifest(
            ManifestFormat.CurrentVersion, "m", "M", ManifestFormat.NoSource, new string('0', 64), 1 << 20,
            new([new ManifestValue("x", input)]), new(outputs), new(layers), new ExecutionPlan(new([]), new([]), new([])));
    }

    // x (16×5×5) → pool → squeeze (16 → 4) → [activation] → excite (4 → 16) → HardSigmoid → x · factors.
    private static ManifestLayer[] SqueezeExcitation(string squeezeActivation, LayerExecution squeezePlan)
    {
        var pointwise = Window2D.Create(1, 1, Padding2D.Uniform(0));
        var layers = new List<ManifestLayer>
        {
            Op("pool", "GlobalAveragePool", ["x"], [[1, 16, 5, 5]], [1, 16, 1, 1]),
            Conv("squeeze", "pool", [1, 16, 1, 1], [1, 4, 1, 1], pointwise, squeezePlan),
        };
        var squeezed = "squeeze";
        if (squeezeActivation == "Relu")
        {
            layers.Add(Op("act", "Relu", ["squeeze"], [[1, 4, 1, 1]], [1, 4, 1, 1]));
            squeezed = "act";
        }
        else if (squeezeActivation == "SiLU")
        {
            layers.Add(Op("sigmoid", "Sigmoid", ["squeeze"], [[1, 4, 1, 1]], [1, 4, 1, 1]));
            layers.Add(Op("silu", "Mul", ["squeeze", "sigmoid"], [[1, 4, 1, 1], [1, 4, 1, 1]], [1, 4, 1, 1]));
            squeezed = "silu";
        }

        layers.Add(Conv("excite", squeezed, [1, 4, 1, 1], [1, 16, 1, 1], pointwise, LayerExecution.Dense));
        layers.Add(Op("factors", "HardSigmoid", ["excite"], [[1, 16, 1, 1]], [1, 16, 1, 1], new HardSigmoidParameters(1f / 6, 0.5f)));
        layers.Add(Op("scale", "Mul", ["x", "factors"], [[1, 16, 5, 5], [1, 16, 1, 1]], [1, 16, 5, 5]));
        return [.. layers];
    }

    private static ManifestLayer Conv(string name, string input, int[] x, int[] y, Window2D window, LayerExecution plan)
    {
        var columns = x[1] * window.KernelH * window.KernelW;
        var format = plan == LayerExecution.Dense ? BlobFormat.Fp32 : BlobFormat.Csr;
        var weights = new ManifestWeights(
            y[1], columns, "unstructured", 0.5, plan == LayerExecution.SparseUnrolled ? 0 : y[1] * columns / 2, 1, plan.ToString(),
            plan == LayerExecution.SparseUnrolled ? null : new BlobLocation(0, 64, format), null, new([]));
        return new ManifestLayer(name, "Conv", new([input]), name, new([new(x)]), new(y), new ConvParameters(window, 1), weights, plan, "test", false);
    }

    // Nonzeros in the given columns, one per row in turn.
    private static ManifestLayer Unrolled(ManifestLayer conv, int[] columns) => conv with
    {
        Weights = conv.Weights! with
        {
            NonZeros = columns.Length,
            Unrolled = new(columns.Select((c, i) => new UnrolledWeight(i % conv.Weights.Rows, c, 0x3f800000u))),
        },
    };

    private static ManifestLayer Op(string name, string op, string[] inputs, int[][] shapes, int[] output, LayerParameters? parameters = null) =>
        new(name, op, new(inputs), name, new(shapes.Select(s => new EquatableList<int>(s))), new(output), parameters ?? NoParameters.Instance, null, LayerExecution.Dense, "test", false);
}
