using System;
using System.IO;

namespace NnGen;

/// <summary>
/// Replaces a file all at once: the content is written to a temporary file beside the target, flushed to disk, given
/// the target's permission bits and then moved over it. Whatever fails on the way (a full disk, a writer that throws),
/// the previous file stays whole and no temporary file is left behind. Weight files and ONNX exports are written this way.
/// </summary>
internal static class AtomicFile
{
    /// <summary>Writes <paramref name="path"/> through <paramref name="write"/>, which receives the temporary file's stream.</summary>
    /// <exception cref="IOException">
    /// The path is a directory, the folder does not exist or is not writable, or writing fails (the disk is full); the
    /// previous file is unchanged.
    /// </exception>
    public static void Write(string path, Action<Stream> write)
    {
        string full = Path.GetFullPath(path);
        if (Directory.Exists(full))
        {
            throw new IOException($"Cannot write '{full}': it is a directory; expected a file path.");
        }

        // A file kept private (0600) must not become world-readable because it was saved again: the replacement is
        // created with the old file's mode (so it is never more open, even for a moment) and set to it exactly after,
        // since the process's umask narrows the mode a file is created with.
        UnixFileMode? mode = !OperatingSystem.IsWindows() && File.Exists(full) ? File.GetUnixFileMode(full) : null;
        string temporary = full + "." + Guid.NewGuid().ToString("N").Substring(0, 8) + ".tmp";
        try
        {
            var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
            if (mode is UnixFileMode created && !OperatingSystem.IsWindows())
            {
                options.UnixCreateMode = created;
            }

            using (var stream = new FileStream(temporary, options))
            {
                write(stream);

                // Flushed before the rename so that a crash right after it cannot leave an empty file under the name.
                stream.Flush(flushToDisk: true);
            }

            if (mode is UnixFileMode target && !OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(temporary, target);
            }

            File.Move(temporary, full, overwrite: true);
        }
        catch (UnauthorizedAccessException exception)
        {
            throw new IOException($"Cannot write '{full}': {exception.Message}", exception);
        }
        finally
        {
            if (File.Exists(temporary))
            {
                File.Delete(temporary);
            }
        }
    }
}
