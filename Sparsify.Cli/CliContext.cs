using Spectre.Console;

namespace Sparsify.Cli;

/// <summary>Where a command writes: a Spectre console for its output and a plain writer for errors.</summary>
internal sealed class CliContext
{
    /// <summary>Width used when the output is not a terminal, so tables of long layer names do not wrap.</summary>
    private const int RedirectedWidth = 200;

    private CliContext(IAnsiConsole console, TextWriter stdout, TextWriter stderr)
    {
        Console = console;
        Out = stdout;
        Error = stderr;
    }

    /// <summary>The console for tables and messages (standard output).</summary>
    public IAnsiConsole Console { get; }

    /// <summary>Standard output as plain text (help goes here).</summary>
    public TextWriter Out { get; }

    /// <summary>Standard error: one-line errors and run summaries.</summary>
    public TextWriter Error { get; }

    /// <summary>
    /// Wraps the writers. The process's own standard output gets Spectre's detection (colours,
    /// width) when it is a terminal; any other writer, or a redirected one, gets plain text.
    /// </summary>
    public static CliContext Create(TextWriter stdout, TextWriter stderr)
    {
        ArgumentNullException.ThrowIfNull(stdout);
        ArgumentNullException.ThrowIfNull(stderr);
        var terminal = ReferenceEquals(stdout, System.Console.Out) && !System.Console.IsOutputRedirected;
        var settings = new AnsiConsoleSettings { Out = new AnsiConsoleOutput(stdout) };
        if (!terminal)
        {
            settings.Ansi = AnsiSupport.No;
            settings.ColorSystem = ColorSystemSupport.NoColors;
            settings.Interactive = InteractionSupport.No;
        }

        var console = AnsiConsole.Create(settings);
        if (!terminal)
        {
            console.Profile.Width = RedirectedWidth;
        }

        return new CliContext(console, stdout, stderr);
    }
}
