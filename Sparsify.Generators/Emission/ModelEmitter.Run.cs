using System.Linq;
using Sparsify.Generators.Model;

namespace Sparsify.Generators.Emission;

/// <summary>Fields, constructors and the <c>Run</c> methods.</summary>
internal static partial class ModelEmitter
{
    private static void WriteFields(CodeWriter w, GraphPlan plan, EmitContext context)
    {
        w.Line("private readonly int _threads;")
            .Line("private int _running;");
        for (var b = 0; b < plan.BufferLengths.Count; b++)
        {
            w.Line($"private readonly float[] _buffer{Literals.Int(b)};");
        }

        w.Append(context.Fields).Line();
    }

    private static void WriteConstructors(CodeWriter w, ModelSpec model, GraphPlan plan, EmitContext context)
    {
        w.Line("/// <summary>Loads the weights and allocates the buffers; runs on as many threads as the machine has cores.</summary>")
            .Line("/// <exception cref=\"InvalidOperationException\">The embedded weights are missing or stale, or the Sparsify runtime does not match this code.</exception>")
            .Line($"public {model.ClassName}()")
            .Line("    : this(Environment.ProcessorCount)")
            .Line("{")
            .Line("}")
            .Line()
            .Line("/// <summary>Loads the weights and allocates the buffers.</summary>")
            .Line("/// <param name=\"threads\">Threads each layer may use (at least 1; a count above the machine's processors runs on all of them, no more).</param>")
            .Line("/// <exception cref=\"ArgumentOutOfRangeException\"><paramref name=\"threads\"/> is less than 1.</exception>")
            .Line("/// <exception cref=\"InvalidOperationException\">The embedded weights are missing or stale, or the Sparsify runtime does not match this code.</exception>")
            .Open($"public {model.ClassName}(int threads)")
            .Line("ArgumentOutOfRangeException.ThrowIfLessThan(threads, 1);")
            .Line("_threads = threads;");
        for (var b = 0; b < plan.BufferLengths.Count; b++)
        {
            w.Line($"_buffer{Literals.Int(b)} = new float[{Literals.Int(plan.BufferLengths[b])}];");
        }

        w.Line($"var weights = EmbeddedWeights.Load(typeof({model.ClassName}).Assembly, WeightsResourceName, BlobLength, BlobSha256);")
            .Append(context.Constructor);
        if (!context.Wiring.IsEmpty)
        {
            w.Line("// The steps' wiring, in the order they run: checked and allocated here, once.")
                .Append(context.Wiring);
        }

        w.Close().Line();
    }

    private static void WriteRun(CodeWriter w, ModelSpec model, GraphPlan plan, EmitContext context)
    {
        w.Line("/// <summary>Runs the model on one sample.</summary>")
            .Line("/// <param name=\"input\">Exactly <see cref=\"InputLength\"/> floats: the inputs in model order, NCHW, batch 1.</param>")
            .Line("/// <param name=\"output\">Exactly <see cref=\"OutputLength\"/> floats: the outputs in model order.</param>")
            .Line("/// <exception cref=\"ArgumentException\">A span of the wrong length.</exception>")
            .Line("/// <exception cref=\"InvalidOperationException\">The instance is running a call on another thread: use one instance per thread.</exception>")
            .Line("[MethodImpl(MethodImplOptions.AggressiveOptimization)]")
            .Open("public void Run(ReadOnlySpan<float> input, Span<float> output)")
            .Open("if (input.Length != InputLength)")
            .Line("throw new ArgumentException($\"the model reads {InputLength} floats, got {input.Length}\", nameof(input));")
            .Close()
            .Line()
            .Open("if (output.Length != OutputLength)")
            .Line("throw new ArgumentException($\"the model writes {OutputLength} floats, got {output.Length}\", nameof(output));")
            .Close()
            .Line()
            .Line("ModelCalls.Enter(ref _running, ModelName);")
            .Open("try");
        var offset = 0;
        foreach (var input in model.Inputs)
        {
            var length = plan.Length(input.Name);
            w.Line($"input.Slice({Literals.Int(offset)}, {Literals.Int(length)}).CopyTo({plan.Field(input.Name)});");
            offset += length;
        }

        w.Append(context.Run).Line();
        offset = 0;
        foreach (var output in model.Outputs)
        {
            var length = plan.Length(output.Name);
            w.Line($"{plan.Span(output.Name)}.CopyTo(output.Slice({Literals.Int(offset)}, {Literals.Int(length)}));");
            offset += length;
        }

        w.Close()
            .Open("finally")
            .Line("ModelCalls.Exit(ref _running);")
            .Close()
            .Close()
            .Line()
            .Line("/// <summary>Runs the model on one sample and returns a new array of <see cref=\"OutputLength\"/> floats.</summary>")
            .Line("/// <param name=\"input\">Exactly <see cref=\"InputLength\"/> floats.</param>")
            .Line("/// <exception cref=\"ArgumentException\">An input of the wrong length.</exception>")
            .Line("/// <exception cref=\"InvalidOperationException\">The instance is running a call on another thread: use one instance per thread.</exception>")
            .Open("public float[] Run(float[] input)")
            .Line("ArgumentNullException.ThrowIfNull(input);")
            .Line("var output = new float[OutputLength];")
            .Line("Run(input.AsSpan(), output.AsSpan());")
            .Line("return output;")
            .Close();
    }
}
