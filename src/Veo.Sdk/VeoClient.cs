namespace Veo.Sdk;

/// <summary>Client for Google's Veo video generation API.</summary>
public class VeoClient : IVeoClient
{
    /// <summary>Creates a client for mocking.</summary>
    protected VeoClient() { }

    /// <inheritdoc />
    public virtual Task<GenerateVideoOperation> StartGenerateVideoAsync(GenerateVideoRequest request, CancellationToken cancellationToken = default) => throw new NotImplementedException();

    /// <inheritdoc />
    public virtual Task<VeoOperationStatus> GetOperationStatusAsync(string operationName, CancellationToken cancellationToken = default) => throw new NotImplementedException();

    /// <inheritdoc />
    public virtual GenerateVideoOperation GetGenerateVideoOperation(string operationName) => throw new NotImplementedException();

    /// <inheritdoc />
    public virtual Task<long> DownloadVideoAsync(GeneratedVideo video, Stream destination, CancellationToken cancellationToken = default) => throw new NotImplementedException();

    /// <inheritdoc />
    public virtual Task<long> DownloadVideoToFileAsync(GeneratedVideo video, string path, CancellationToken cancellationToken = default) => throw new NotImplementedException();
}
