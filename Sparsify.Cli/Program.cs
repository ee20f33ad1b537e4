using System.CommandLine;
using Sparsify.Cli.Commands;

namespace Sparsify.Cli;

/// <summary>The entry point of the <c>sparsify</c> command.</summary>
public static class Program
{
    /// <summary>Runs the command line on the process console and returns the exit code.</summary>
    public static int Main(string[] args) => Run(args, Console.Out, Console.Error);

    /// <summary>
    /// Runs the command line in process: normal output goes to <paramref name="stdout"/>, errors
    /// and summaries to <paramref name="stderr"/>. Returns 0 on success, 1 when the command fails
    /// and 2 when the command line itself is wrong.
    /// </summary>
    public static int Run(IReadOnlyList<string> args, TextWriter stdout, TextWriter stderr)
    {
        ArgumentNullException.ThrowIfNull(args);
        var context = CliContext.Create(stdout, stderr);
        var root = new RootCommand("Sparsify: inspect, run and build CNN models (ONNX).")
        {
            InspectCommand.Create(context),
            RunCommand.Create(context),
            BuildModelCommand.Create(context),
            PruneCommand.Create(context),
            FidelityCommand.Create(context),
            TrainCommand.Create(context),
            AccuracyCommand.Create(context),
            SimulateCommand.Create(context),
        };
        return CliErrors.Invoke(root, args, context);
    }
}
