using System.CommandLine;
using System.CommandLine.Invocation;
using Sparsify.Core;

namespace Sparsify.Cli;

/// <summary>An error in what the user asked for (a missing file, a wrong input length): reported as one line, exit code 1.</summary>
internal sealed class CliException(string message) : Exception(message);

/// <summary>Turns every failure into one line <c>error: …</c> on standard error and an exit code.</summary>
internal static class CliErrors
{
    /// <summary>Exit code of a command that failed.</summary>
    public const int Failure = 1;

    /// <summary>Exit code of a command line that could not be parsed.</summary>
    public const int UsageError = 2;

    /// <summary>Parses and invokes <paramref name="root"/>; parse errors become one line and exit code 2.</summary>
    public static int Invoke(RootCommand root, IReadOnlyList<string> args, CliContext context)
    {
        try
        {
            var parse = root.Parse(args);
            if (parse.Action is ParseErrorAction)
            {
                var command = parse.CommandResult.Command;
                var usage = command is RootCommand ? "sparsify --help" : $"sparsify {command.Name} --help";
                var problems = string.Join("; ", parse.Errors.Select(e => OneLine(e.Message)));
                context.Error.WriteLine($"error: {problems} (see '{usage}')");
                return UsageError;
            }

            return parse.Invoke(new InvocationConfiguration
            {
                Output = context.Out,
                Error = context.Error,
                EnableDefaultExceptionHandler = false,
            });
        }
        catch (Exception e)
        {
            return Report(e, context);
        }
    }

    /// <summary>
    /// Runs a command's body, reporting any exception as one line. A failure the model's own error
    /// does not describe is prefixed with <paramref name="modelPath"/>, so the line always says which file.
    /// </summary>
    public static int Guard(CliContext context, Func<int> body, string? modelPath = null)
    {
        try
        {
            return body();
        }
        catch (Exception e)
        {
            return Report(e, context, modelPath);
        }
    }

    private static int Report(Exception e, CliContext context, string? modelPath = null)
    {
        var where = modelPath is null ? string.Empty : modelPath + ": ";
        var message = e switch
        {
            SparsifyModelException or CliException or Core.Calibration.CalibrationDataException or Core.Compilation.FidelityTargetException => e.Message,
            ArgumentException argument => SettingErrors.Describe(argument),
            FileNotFoundException or DirectoryNotFoundException or PathTooLongException or UnauthorizedAccessException or IOException => e.Message,
            OutOfMemoryException => where + "out of memory: the model or its activations do not fit",
            _ => where + $"unexpected {e.GetType().Name}: {e.Message}",
        };
        context.Error.WriteLine($"error: {OneLine(message)}");
        return Failure;
    }

    private static string OneLine(string text) =>
        string.Join(' ', text.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
}
