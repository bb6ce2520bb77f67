import argparse


def main():
    print(argparse.ArgumentParser().parse_args())
