using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Sparsify.Training.Experiments;
using Sparsify.Core.Onnx;
using Sparsify.Core.Sparsity;
using Sparsify.Core.IO;
using Spectre.Console;

namespace Sparsify.Cli.Commands;

/// <summary>
/// <c>sparsify fidelity MODEL</c>: prunes a model one-shot with each scheme at each target and
/// reports how far its outputs move from the dense model's (relative error, cosine similarity).
/// </summary>
internal static class FidelityCommand
{
    /// <summary>Creates the command.</summary>
    public static Command Create(CliContext context)
    {
        var model = new Argument<string>("MODEL") { Description = "The ONNX model file." };
        var schemes = new Option<string[]>("--schemes")
        {
            Description = "Schemes to compare.",
            DefaultValueFactory = _ => ["unstructured", "balanced", "locality", "nm", "filter"],
            AllowMultipleArgumentsPerToken = true,
        };
        var sparsities = new Option<double[]>("--sparsities")
        {
            Description = "Targets, each in [0, 1).",
            DefaultValueFactory = _ => [0.5, 0.7, 0.9],
            AllowMultipleArgumentsPerToken = true,
        };
        var inputs = new Option<int>("--inputs") { Description = "Seeded inputs compared.", DefaultValueFactory = _ => 4 };
        var seed = new Option<int>("--seed") { Description = "Seed of the inputs.", DefaultValueFactory = _ => 1 };
        var json = new Option<string?>("--json") { Description = "Also write the rows as JSON (replaced atomically).", HelpName = "FILE.json" };
        var command = new Command("fidelity", "Prune one-shot with each scheme and target; report output error and cosine similarity against the dense model.")
        {
            model, schemes, sparsities, inputs, seed, json,
        };
        command.SetAction(parse => CliErrors.Guard(context, () =>
        {
            var path = parse.GetValue(model)!;
            var names = parse.GetValue(schemes)!;
            foreach (var name in names)
            {
                _ = SparsitySchemes.Get(name);
            }

            var table = new Table().AddColumns("scheme", "target", "sparsity", "nonzeros", "rel. error", "cosine", "imbalance");
            var rows = OneShotFidelity.Measure(() => OnnxModel.Load(path), names, parse.GetValue(sparsities)!, parse.GetValue(inputs), parse.GetValue(seed),
                progress: row => context.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{row.Scheme} {row.TargetSparsity:0.00}: cosine {row.Cosine:F4}")));
            foreach (var row in rows)
            {
                table.AddRow(row.Scheme, F(row.TargetSparsity, "0.00"), F(row.Sparsity, "0.0000"), F(row.NonZeros, "N0"), F(row.RelativeError, "0.0000"), F(row.Cosine, "0.0000"), F(row.Imbalance, "0.000"));
            }

            context.Console.Write(table);
            if (parse.GetValue(json) is { } jsonPath)
            {
                var document = new { model = Path.GetFileName(path), allocation = "uniform, first conv dense", nmBlock = OneShotFidelity.NmBlock, inputs = parse.GetValue(inputs), seed = parse.GetValue(seed), rows };
                AtomicFile.WriteAllText(jsonPath, JsonSerializer.Serialize(document, JsonOptions.Indented));
            }

            return 0;
        }, parse.GetValue(model)));
        return command;
    }

    private static string F(double value, string format) => value.ToString(format, CultureInfo.InvariantCulture);
}
