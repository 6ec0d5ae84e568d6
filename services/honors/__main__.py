"""``python -m services.honors``: the honours service as its own process."""

from shared.launch import launch_service

if __name__ == "__main__":
    launch_service("services.honors")
