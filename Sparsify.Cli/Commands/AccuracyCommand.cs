using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Sparsify.Training.Data;
using Sparsify.Training.Experiments;
using Sparsify.Core.IO;

namespace Sparsify.Cli.Commands;

/// <summary>
/// <c>sparsify accuracy --out docs/results/accuracy.json</c>: regenerates the accuracy table of the
/// sparsification schemes on LeNet-5 / MNIST (JSON, and optionally the Markdown table).
/// </summary>
internal static class AccuracyCommand
{
    /// <summary>Creates the command.</summary>
    public static Command Create(CliContext context)
    {
        var output = new Option<string>("--out", "-o") { Description = "The JSON results to write (replaced atomically).", HelpName = "FILE.json", Required = true };
        var markdown = new Option<string?>("--markdown") { Description = "Also write the table as Markdown.", HelpName = "FILE.md" };
        var dataDir = new Option<string?>("--data-dir") { Description = $"Where MNIST is (default: ${MnistDataset.DirectoryVariable} or the cache the build fetches into)." };
        var seed = new Option<int>("--seed") { Description = "Seed of weights, shuffling and calibration.", DefaultValueFactory = _ => 1 };
        var threads = new Option<int>("--threads") { Description = "Threads.", DefaultValueFactory = _ => Environment.ProcessorCount };
        var command = new Command("accuracy", "Train LeNet-5 on MNIST, prune it with every scheme at 50/75/90/95%, fine-tune, and write the accuracy table.")
        {
            output, markdown, dataDir, seed, threads,
        };
        command.SetAction(parse => CliErrors.Guard(context, () =>
        {
            var started = DateTime.UtcNow;
            var data = MnistDataset.Load(parse.GetValue(dataDir));
            var table = AccuracyExperiment.Run(data, new AccuracyExperimentOptions { Seed = parse.GetValue(seed), Threads = parse.GetValue(threads) }, context.Error.WriteLine);
            var minutes = (DateTime.UtcNow - started).TotalMinutes;
            AtomicFile.WriteAllText(parse.GetValue(output)!, JsonSerializer.Serialize(Document(table, minutes), JsonOptions.Indented));
            var text = Markdown(table);
            if (parse.GetValue(markdown) is { } markdownPath)
            {
                AtomicFile.WriteAllText(markdownPath, text);
            }

            context.Out.Write(text);
            context.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"regenerated in {minutes:F1} min"));
            return 0;
        }));
        return command;
    }

    private static object Document(AccuracyTable table, double minutes) => new
    {
        dense = Math.Round(table.Dense, 2),
        locality = new { groupLassoModel = Math.Round(table.Locality, 2) },
        denseBytes = table.DenseBytes,
        minutes = Math.Round(minutes, 1),
        setup = table.Setup,
        rows = table.Rows.Select(r => new
        {
            scheme = r.Scheme,
            sparsity = r.Sparsity,
            achievedSparsity = Math.Round(r.AchievedSparsity, 4),
            oneShot = Math.Round(r.OneShot, 2),
            oneShotCalibrated = Math.Round(r.OneShotCalibrated, 2),
            fineTuned = Math.Round(r.FineTuned, 2),
            nonzeros = r.NonZeros,
            bytes = r.Bytes,
            imbalance = Math.Round(r.Imbalance, 3),
            pattern = r.Pattern,
        }),
    };

    private static string Markdown(AccuracyTable table)
    {
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"Dense LeNet-5: **{table.Dense:F2}%**; group-lasso model (start of the locality rows): {table.Locality:F2}%; dense weights {table.DenseBytes:N0} bytes at 16 bits.");
        text.AppendLine();
        text.AppendLine("| scheme | sparsity | achieved | one-shot % | calibrated one-shot % | fine-tuned % | nonzeros | bytes (16-bit) | imbalance |");
        text.AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var r in table.Rows)
        {
            var name = r.Pattern is null ? r.Scheme : $"{r.Scheme} ({r.Pattern})";
            text.AppendLine(CultureInfo.InvariantCulture, $"| {name} | {r.Sparsity:0.00} | {r.AchievedSparsity:0.0000} | {r.OneShot:F2} | {r.OneShotCalibrated:F2} | {r.FineTuned:F2} | {r.NonZeros:N0} | {r.Bytes:N0} | {r.Imbalance:F3} |");
        }

        return text.ToString();
    }
}
