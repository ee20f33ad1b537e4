using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Sparsify.Core.Execution;
using Sparsify.Core.Ir;
using Sparsify.Core.Onnx;
using Spectre.Console;

namespace Sparsify.Cli.Commands;

/// <summary>
/// <c>sparsify run MODEL --input IN.f32 --output OUT.f32</c>: runs a model once (batch 1) with the
/// reference executor on raw float32 input and writes its raw float32 outputs.
/// </summary>
internal static class RunCommand
{
    /// <summary>Creates the command.</summary>
    public static Command Create(CliContext context)
    {
        var model = new Argument<string>("MODEL") { Description = "The ONNX model file." };
        var input = new Option<string>("--input", "-i")
        {
            Description = "Raw little-endian float32 input, batch 1. For several model inputs, their values back to back in the model's input order.",
            HelpName = "IN.f32",
            Required = true,
        };
        var output = new Option<string>("--output", "-o")
        {
            Description = "Where to write the outputs: raw little-endian float32, all outputs back to back in the model's output order. Replaced atomically.",
            HelpName = "OUT.f32",
            Required = true,
        };
        var threads = new Option<int>("--threads", "-t")
        {
            Description = "Threads used inside each layer.",
            HelpName = "N",
            DefaultValueFactory = _ => Environment.ProcessorCount,
            CustomParser = result =>
            {
                var text = result.Tokens.Count == 0 ? string.Empty : result.Tokens[^1].Value;
                if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value >= 1)
                {
                    return value;
                }

                result.AddError($"--threads must be a whole number, at least 1; got '{text}'");
                return 0;
            },
        };
        var inputShapes = InputShapeOption.Create();
        var command = new Command("run", "Run a model once with the reference executor on raw float32 input.")
        {
            model,
            input,
            output,
            threads,
            inputShapes,
        };
        command.SetAction(parse => CliErrors.Guard(context, () => Execute(
            context,
            parse.GetValue(model)!,
            parse.GetValue(input)!,
            parse.GetValue(output)!,
            parse.GetValue(threads),
            InputShapeOption.ToImportOptions(parse.GetValue(inputShapes))), parse.GetValue(model)));
        return command;
    }

    private static int Execute(CliContext context, string modelPath, string inputPath, string outputPath, int threads, OnnxImportOptions importOptions)
    {
        var graph = OnnxModel.Load(modelPath, importOptions).WithBatch(1);
        var expectedCount = graph.Inputs.Sum(i => (long)i.Shape.ElementCount);
        if (expectedCount > Array.MaxLength)
        {
            throw new CliException($"{modelPath}: the inputs hold {expectedCount} values, more than one file can be read into memory");
        }

        var expectedWhat = string.Join(" + ", graph.Inputs.Select(i => $"'{i.Name}' {i.Shape}"));
        var values = RawFloatFile.Read(inputPath, (int)expectedCount, expectedWhat);
        var inputs = new List<Tensor>(graph.Inputs.Count);
        var offset = 0;
        foreach (var graphInput in graph.Inputs)
        {
            var count = graphInput.Shape.ElementCount;
            inputs.Add(new Tensor(graphInput.Shape, values.AsSpan(offset, count).ToArray()));
            offset += count;
        }

        var executor = new ReferenceExecutor(graph, new ExecutorOptions { MaxDegreeOfParallelism = threads });
        var stopwatch = Stopwatch.StartNew();
        IReadOnlyList<Tensor> outputs = [];
        if (context.Console.Profile.Capabilities.Interactive)
        {
            context.Console.Status().Start($"running {Markup.Escape(graph.Name)}…", _ => outputs = executor.Run(inputs));
        }
        else
        {
            outputs = executor.Run(inputs);
        }

        stopwatch.Stop();
        var bytes = RawFloatFile.WriteAtomically(outputPath, outputs.Select(t => t.Data));
        var shapes = string.Join(", ", graph.Outputs.Zip(outputs, (o, t) => $"{o.Name} {t.Shape}"));
        context.Error.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"{graph.Name}: ran in {stopwatch.Elapsed.TotalMilliseconds:0.00} ms on {threads} thread(s); {shapes} -> {outputPath} ({bytes:N0} bytes)"));
        return 0;
    }
}
