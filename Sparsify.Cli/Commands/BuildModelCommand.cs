using System.CommandLine;
using System.Globalization;
using Sparsify.Training.Models;
using Sparsify.Core.Onnx;
using Spectre.Console;

namespace Sparsify.Cli.Commands;

/// <summary><c>sparsify build-model NAME --out FILE.onnx</c>: writes one of the reference networks, with seeded weights, as ONNX.</summary>
internal static class BuildModelCommand
{
    /// <summary>Creates the command.</summary>
    public static Command Create(CliContext context)
    {
        var name = new Argument<string>("NAME") { Description = "The network: " + string.Join(", ", ModelBuilders.Names) + "." };
        name.AcceptOnlyFromAmong([.. ModelBuilders.Names]);
        var output = new Option<string>("--out", "-o")
        {
            Description = "The ONNX file to write (replaced atomically).",
            HelpName = "FILE.onnx",
            Required = true,
        };
        var seed = new Option<int>("--seed")
        {
            Description = "Seed of the random weights.",
            HelpName = "N",
            DefaultValueFactory = _ => 1,
        };
        var command = new Command("build-model", "Write a reference network (seeded weights) as an ONNX model.")
        {
            name,
            output,
            seed,
        };
        command.SetAction(parse => CliErrors.Guard(context, () =>
        {
            var path = parse.GetValue(output)!;
            var graph = ModelBuilders.Build(parse.GetValue(name)!, parse.GetValue(seed));
            OnnxModel.Save(graph, path);
            context.Console.WriteLine(string.Create(
                CultureInfo.InvariantCulture,
                $"wrote {graph.Name} ({graph.ParameterCount:N0} parameters, {graph.MacCount:N0} MACs) to {path}"));
            return 0;
        }));
        return command;
    }
}
