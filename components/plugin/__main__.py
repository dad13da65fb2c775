"""The entry of the component package serverless-workflows (PulumiPlugin.yaml): Pulumi's Python
language host runs this folder, `python <this folder> <engine address>`, when a program in another
language declares a serverless-workflows resource. The components, their schema and the provider
are in the installed package (`serverless_workflows.provider`), which requirements.txt installs
from this repository; this file only starts the provider.
"""

from serverless_workflows.provider import serve

if __name__ == "__main__":
    serve()
