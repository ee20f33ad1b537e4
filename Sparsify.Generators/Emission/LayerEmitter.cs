using System.Collections.Generic;
using Sparsify.Generators.Model;
using Sparsify.Runtime.Blob;
using Sparsify.Runtime.Manifests;

namespace Sparsify.Generators.Emission;

/// <summary>Where the per-layer emitters write: fields, constructor body, <c>Run</c> body and extra members.</summary>
internal sealed class EmitContext(ModelSpec model, GraphPlan plan)
{
    public ModelSpec Model { get; } = model;

    public GraphPlan Plan { get; } = plan;

    public CodeWriter Fields { get; } = new(1);

    public CodeWriter Constructor { get; } = new(2);

    /// <summary>Constructor code that binds steps to each other, after every layer is built, in run order.</summary>
    public CodeWriter Wiring { get; } = new(2);

    /// <summary>The steps of <c>Run</c>, inside its <c>try</c> block.</summary>
    public CodeWriter Run { get; } = new(3);

    public CodeWriter Members { get; } = new(1);

    /// <summary>The bias span expression, or <c>default</c> without bias.</summary>
    public static string Bias(Step step) => step.Layer.Weights?.BiasBlob is null ? "default" : $"_bias{step.Ident}";

    /// <summary>The residual span expression, or <c>default</c>.</summary>
    public string Residual(Step step) => step.Residual is null ? "default" : Plan.Span(step.Residual);

    /// <summary>Declares and loads an fp32 array from the blob.</summary>
    public void LoadFloats(string field, BlobLocation blob)
    {
        Fields.Line($"private readonly float[] {field};");
        Constructor.Line($"{field} = weights.ReadFloats({Location(blob)});");
    }

    /// <summary>Declares and loads the step's bias, if it has one.</summary>
    public void LoadBias(Step step)
    {
        if (step.Layer.Weights?.BiasBlob is { } bias)
        {
            LoadFloats($"_bias{step.Ident}", bias);
        }
    }

    public static string Location(BlobLocation blob)
    {
        var format = blob.Format switch
        {
            BlobFormat.Csr => "Csr",
            BlobFormat.Pe => "Pe",
            BlobFormat.Group => "Group",
            _ => "Fp32",
        };
        return $"new BlobLocation({Literals.Long(blob.Offset)}, {Literals.Long(blob.Length)}, BlobFormat.{format})";
    }
}

/// <summary>Knows how to emit one kind of layer (hls4ml style: one small emitter per op family).</summary>
internal abstract class LayerEmitter
{
    private static readonly Dictionary<string, LayerEmitter> ByOp = new()
    {
        ["Conv"] = new ConvEmitter(),
        ["Gemm"] = new FullyConnectedEmitter(),
        ["MaxPool"] = new PoolEmitter(),
        ["AveragePool"] = new PoolEmitter(),
        ["GlobalAveragePool"] = new PoolEmitter(),
        ["Relu"] = new ElementwiseEmitter(),
        ["Clip"] = new ElementwiseEmitter(),
        ["Sigmoid"] = new ElementwiseEmitter(),
        ["HardSigmoid"] = new ElementwiseEmitter(),
        ["Gelu"] = new ElementwiseEmitter(),
        ["LeakyRelu"] = new ElementwiseEmitter(),
        ["Mul"] = new ElementwiseEmitter(),
        ["Add"] = new ElementwiseEmitter(),
        ["Broadcast"] = new ElementwiseEmitter(),
        ["MatMul"] = new ElementwiseEmitter(),
        ["Softmax"] = new ElementwiseEmitter(),
        ["ReduceMean"] = new ElementwiseEmitter(),
        ["ReduceSum"] = new ElementwiseEmitter(),
        ["Concat"] = new ElementwiseEmitter(),
        ["LRN"] = new NormalizationEmitter(),
        ["BatchNormalization"] = new NormalizationEmitter(),
        ["ChannelLayerNorm"] = new NormalizationEmitter(),
        ["Slice"] = new MovementEmitter(),
        ["ChannelShuffle"] = new MovementEmitter(),
        ["Transpose"] = new MovementEmitter(),
        ["Pad"] = new MovementEmitter(),
        ["Flatten"] = new AliasEmitter(),
        ["Reshape"] = new AliasEmitter(),
    };

    // The functions of one value share one emitter, which calls the runtime method named after each.
    private static readonly LayerEmitter UnaryFunctions = new ElementwiseEmitter();

    // A pool that folds the rest of its squeeze-and-excitation block.
    private static readonly LayerEmitter SqueezeExcitation = new SqueezeExcitationEmitter();

    /// <summary>The emitter of <paramref name="step"/>: by its layer's op, or the block its pool folds.</summary>
    public static LayerEmitter For(Step step) =>
        step.Layer.Op == "GlobalAveragePool" && step.Fused.Count > 0 ? SqueezeExcitation
        : ManifestOps.IsUnaryFunction(step.Layer.Op) ? UnaryFunctions
        : ByOp[step.Layer.Op];

    /// <summary>Writes the step's fields, constructor code, run code and members.</summary>
    public abstract void Emit(EmitContext context, Step step);
}

/// <summary>Flatten and Reshape: the data is already in row-major order, so only the name changes.</summary>
internal sealed class AliasEmitter : LayerEmitter
{
    public override void Emit(EmitContext context, Step step) =>
        context.Run.Line("// " + Literals.Comment($"{step.Layer.Output} is {step.Layer.Inputs[0]} reshaped: same buffer, no work."));
}
