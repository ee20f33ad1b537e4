using System.Diagnostics;
using System.Text;

namespace Sparsify.Sdk.Tests;

/// <summary>The result of one <c>dotnet</c> run: exit code and the merged output.</summary>
internal sealed record CliResult(int ExitCode, string Output, TimeSpan Elapsed)
{
    public override string ToString() => $"exit {ExitCode} after {Elapsed.TotalSeconds:0.0} s\n{Output}";
}

/// <summary>Runs the <c>dotnet</c> CLI with no telemetry, no logo and no lingering build servers.</summary>
internal static class DotnetCli
{
    private static readonly string[] LeakingVariables =
        ["MSBuildExtensionsPath", "MSBuildSDKsPath", "MSBUILD_EXE_PATH", "MSBuildLoadMicrosoftTargetsReadOnly", "DOTNET_CLI_UI_LANGUAGE"];

    public static CliResult Run(string workingDirectory, TimeSpan timeout, params string[] arguments)
    {
        var dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host : "dotnet";
        var start = new ProcessStartInfo(dotnet)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        if (arguments.Length > 0 && arguments[0] is "build" or "pack" or "clean" or "restore" or "msbuild")
        {
            start.ArgumentList.Add("-nodeReuse:false");
        }
        foreach (var name in LeakingVariables)
        {
            start.Environment.Remove(name);
        }

        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        start.Environment["DOTNET_SKIP_FIRST_TIME_EXPERIENCE"] = "1";
        start.Environment["MSBUILDDISABLENODEREUSE"] = "1";
        start.Environment["DOTNET_CLI_DO_NOT_USE_MSBUILD_SERVER"] = "1";
        start.Environment["UseSharedCompilation"] = "false";

        var output = new StringBuilder();
        var watch = Stopwatch.StartNew();
        using var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) { lock (output) { output.AppendLine(e.Data); } } };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { lock (output) { output.AppendLine(e.Data); } } };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
            lock (output)
            {
                Assert.Fail($"'dotnet {string.Join(' ', arguments)}' in {workingDirectory} ran past {timeout.TotalSeconds:0} s:\n{output}");
            }
        }

        process.WaitForExit();
        lock (output)
        {
            return new CliResult(process.ExitCode, output.ToString(), watch.Elapsed);
        }
    }
}
