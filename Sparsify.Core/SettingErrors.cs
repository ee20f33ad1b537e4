namespace Sparsify.Core;

/// <summary>How a rejected setting (an <see cref="ArgumentException"/> from Core) reads in a log or on a console.</summary>
public static class SettingErrors
{
    /// <summary>
    /// The message on one line, without .NET's " (Parameter 'x')" suffix or the "Actual value was"
    /// line that <see cref="ArgumentOutOfRangeException"/> appends: the message already names the setting.
    /// </summary>
    public static string Describe(ArgumentException error)
    {
        ArgumentNullException.ThrowIfNull(error);
        var first = error.Message.Split('\n')[0].TrimEnd('\r', ' ');
        return error.ParamName is null ? first : first.Replace($" (Parameter '{error.ParamName}')", string.Empty, StringComparison.Ordinal);
    }
}
